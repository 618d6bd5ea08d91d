package parsers

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestDecide(t *testing.T) {
	for _, c := range []struct {
		name string
		ev   Evidence
		sure bool
	}{
		{"nothing against", Evidence{}, true},
		{"check passed", Evidence{Check: CheckPassed}, true},
		{"check failed, read well: the referent is told", Evidence{Check: CheckFailed}, true},
		{"a label inside", Evidence{Against: []Signal{{SigLabel, "x"}}}, false},
		{"check passed but two values", Evidence{Check: CheckPassed, Against: []Signal{{SigTwoValues, "x"}}}, false},
		{"hidden text", Evidence{Against: []Signal{{SigHidden, "x"}}}, false},
	} {
		if sure, doubt := decide(c.ev); sure != c.sure || sure != (doubt == "") {
			t.Errorf("%s: decide = %v %q, want sure %v", c.name, sure, doubt, c.sure)
		}
	}
}

// Readers report evidence and never set Sure themselves: only decide does (through settle).
func TestReadersNeverSetSure(t *testing.T) {
	set := regexp.MustCompile(`\bSure\s*(:|=|,\s*[\w.]+\s*=)`)
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") || f == "evidence.go" {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(src), "\n") {
			if code, _, _ := strings.Cut(line, "//"); set.MatchString(code) && !strings.Contains(code, "json:") {
				t.Errorf("%s:%d sets Sure outside decide: %s", f, i+1, strings.TrimSpace(line))
			}
		}
	}
}

// The README's table of the calibration rule lists every kind of evidence, in the code's order.
func TestCalibrationTableInREADME(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, sec, _ := strings.Cut(string(readme), "### How sure mailbot is")
	sec, _, _ = strings.Cut(sec, "\n#")
	row := regexp.MustCompile("(?m)^\\| `([a-z_]+)` \\|")
	var got []string
	for _, m := range row.FindAllStringSubmatch(sec, -1) {
		got = append(got, m[1])
	}
	var want []string
	for _, r := range calibration {
		want = append(want, string(r.kind))
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("README calibration table lists %v, the code %v", got, want)
	}
}
