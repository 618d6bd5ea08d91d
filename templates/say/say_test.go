package say

import (
	"strings"
	"testing"
)

// TestFileWellFormed fails on a line of sentences.txt that parse would skip or read twice: a
// text lost that way would show its key to a referent.
func TestFileWellFormed(t *testing.T) {
	seen := map[string]int{}
	for i, line := range strings.Split(file, "\n") {
		n := i + 1
		if line == "" || line[0] == '#' {
			continue
		}
		k, v, ok := strings.Cut(line, " = ")
		switch {
		case !ok:
			t.Errorf("sentences.txt:%d: not \"key = text\": %q", n, line)
		case k != strings.TrimSpace(k) || k == "" || strings.ContainsAny(k, " \t"):
			t.Errorf("sentences.txt:%d: bad key %q", n, k)
		case strings.TrimSpace(v) != v || v == "":
			t.Errorf("sentences.txt:%d: text of %s is empty or has spaces around it", n, k)
		case seen[k] != 0:
			t.Errorf("sentences.txt:%d: %s already has a text at line %d", n, k, seen[k])
		}
		seen[k] = n
	}
	if len(sentences) != len(seen) || len(sentences) < 10 {
		t.Errorf("parse read %d texts, the file has %d", len(sentences), len(seen))
	}
}

func TestText(t *testing.T) {
	for _, c := range []struct {
		key  string
		args []any
		want string
	}{
		{"ident.empty", nil, "è vuoto"},
		{"ident.eleven_digits", []any{9}, "deve avere 11 cifre, ne ha 9"},
		{"ident.zone_for_test", []any{"x"}, "ident.zone_for_test x"}, // no text: the key shows
	} {
		if got := Text(c.key, c.args...); got != c.want {
			t.Errorf("Text(%q, %v) = %q, want %q", c.key, c.args, got, c.want)
		}
	}
}
