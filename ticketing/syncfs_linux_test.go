package ticketing

import "testing"

const meminfo = `MemTotal:       24683752 kB
MemFree:        19602544 kB
Dirty:             65600 kB
Writeback:          1024 kB
AnonPages:        497104 kB
WritebackTmp:          0 kB
`

// TestUnwritten: the bytes a syncfs would wait for are read from /proc/meminfo, and anything
// unexpected there sends a batch to be synced file by file.
func TestUnwritten(t *testing.T) {
	for _, c := range []struct {
		name, in string
		want     int64
		ok       bool
	}{
		{"dirty and being written", meminfo, (65600 + 1024) << 10, true},
		{"nothing", "Dirty: 0 kB\nWriteback: 0 kB\n", 0, true},
		{"no writeback line", "Dirty: 12 kB\n", 0, false},
		{"not in kB", "Dirty: 12 MB\nWriteback: 0 kB\n", 0, false},
		{"not a number", "Dirty: many kB\nWriteback: 0 kB\n", 0, false},
		{"negative", "Dirty: -5 kB\nWriteback: 0 kB\n", 0, false},
		{"empty", "", 0, false},
	} {
		got, ok := unwritten([]byte(c.in))
		if ok != c.ok || (ok && got != c.want) {
			t.Errorf("%s: unwritten = %d, %v; want %d, %v", c.name, got, ok, c.want, c.ok)
		}
	}
}

func FuzzUnwritten(f *testing.F) {
	f.Add([]byte(meminfo))
	f.Add([]byte("Dirty: 1 kB\nWriteback: 2 kB"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if n, ok := unwritten(b); ok && (n < 0 || n > 2<<50) {
			t.Fatalf("unwritten = %d", n)
		}
	})
}
