package parsers

import "testing"

func TestPDFCountObjects(t *testing.T) {
	for _, c := range []struct {
		in   string
		max  int
		want int
	}{
		{"1 0 obj\n<<>>\nendobj\n2 0 obj 3\nendobj", 10, 2},
		{"12 0\r\nobj", 10, 1},
		{"objects 1 0 objx 0 obj", 10, 0}, // no "N G" before, or a word continues
		{"1 0 obj 2 0 obj 3 0 obj 4 0 obj", 2, 3},
		{"", 10, 0},
		{"obj", 10, 0},
	} {
		if got := pdfCountObjects([]byte(c.in), c.max); got != c.want {
			t.Errorf("pdfCountObjects(%q, %d) = %d, want %d", c.in, c.max, got, c.want)
		}
	}
}
