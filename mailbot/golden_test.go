package mailbot

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// update rewrites golden files: go test ./mailbot -run Golden -update
var update = flag.Bool("update", false, "rewrite golden files in testdata/golden")

var boundaryRE = regexp.MustCompile(`boundary="?([0-9A-Za-z'()+_,./:=?-]+)"?`)

// normaliseMail replaces the random MIME boundaries of a rendered mail with stable names.
func normaliseMail(raw []byte) []byte {
	for i, m := range boundaryRE.FindAllSubmatch(raw, -1) {
		raw = bytes.ReplaceAll(raw, m[1], []byte("BOUNDARY-"+string(rune('A'+i))))
	}
	return raw
}

// golden compares got with testdata/golden/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from golden file (run with -update if the change is intended):\n--- got\n%s", name, got)
	}
}
