package house

import (
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"strings"
	"testing"
)

// layer places each package of the module in HACKING.md's direction of dependencies
// (cmd → mailbot → ticketing, parsers, templates): a package may import only packages of a lower
// layer. The helpers under internal/ share one layer and may import each other. A package not
// listed fails the test, so a new one is placed deliberately.
var layer = map[string]int{
	// Under everything: the one address type and the short texts people read.
	"mailaddr":      -1,
	"templates/say": -1, // the short texts people read, spoken by every layer

	// Foundations: parsers knows nothing of tickets, ticketing nothing of mail, templates neither.
	"parsers":   0,
	"ticketing": 0,
	"templates": 0,

	// Helpers shared by the daemon's packages and the tests.
	"internal/bombs":       1,
	"internal/browsertest": 1,
	"internal/crashreader": 1,
	"internal/corpus":      1,
	"internal/formgen":     1,
	"internal/httpserve":   1,
	"internal/loadreq":     1,
	"internal/localmail":   1,
	"internal/mailtest":    1,
	"internal/oidctest":    1,
	"internal/pectest":     1,
	"internal/publiccode":  1,
	"internal/sdnotify":    1,
	"internal/house":       1,
	"internal/wait":        1,

	"catalog": 2, // published catalogs, built from tickets and forms
	"mailbot": 3, // the daemon: watchers, intake, outbox, scheduler

	// Beside the daemon, over it: the console, health and metrics, the demo's configuration.
	"console":       4,
	"ops":           4,
	"internal/demo": 4,

	// Wiring and whole-program tests.
	"cmd/mailbot":                   5,
	"cmd/mailbot-load":              5,
	"internal/corpus/cmd/corpusgen": 5,
	"internal/formgen/cmd/formgen":  5,
	"internal/genkeys":              5,
	"e2e":                           5,
}

// sameLayerOK are the layers whose packages may import each other.
var sameLayerOK = map[int]bool{1: true}

type goPackage struct {
	ImportPath   string
	Imports      []string
	TestImports  []string
	XTestImports []string
}

// listPackages runs `go list -json` over the module.
func listPackages(t *testing.T) (module string, pkgs []goPackage) {
	t.Helper()
	out, err := exec.Command("go", "list", "-m").Output()
	if err != nil {
		t.Fatalf("go list -m: %v", err)
	}
	module = strings.TrimSpace(string(out))
	cmd := exec.Command("go", "list", "-json", module+"/...")
	out, err = cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("go list: %v\n%s", err, ee.Stderr)
		}
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p goPackage
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("decode go list: %v", err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) < 10 {
		t.Fatalf("go list found %d packages: the module was not listed", len(pkgs))
	}
	return module, pkgs
}

// TestImportDirection fails when a package imports one it must not: against HACKING.md's
// direction, or a package that has no place in the layers yet. Tests may reach further (a
// mailbot test uses internal/localmail), so only the packages' own imports are checked.
func TestImportDirection(t *testing.T) {
	module, pkgs := listPackages(t)
	rel := func(p string) (string, bool) {
		if p == module {
			return ".", true
		}
		r, ok := strings.CutPrefix(p, module+"/")
		return r, ok
	}
	for _, p := range pkgs {
		name, _ := rel(p.ImportPath)
		from, ok := layer[name]
		if !ok {
			t.Errorf("package %s has no layer: add it to layer in internal/house/imports_test.go (and HACKING.md if it changes the picture)", name)
			continue
		}
		for _, imp := range p.Imports {
			dep, ok := rel(imp)
			if !ok {
				continue // standard library or a third-party module
			}
			to, known := layer[dep]
			switch {
			case !known:
				t.Errorf("%s imports %s, which has no layer", name, dep)
			case to > from, to == from && !sameLayerOK[from]:
				t.Errorf("%s (layer %d) imports %s (layer %d): dependencies point one way, cmd → mailbot → ticketing, parsers, templates (HACKING.md)", name, from, dep, to)
			}
		}
	}
}

// TestLayersListed keeps the table honest: a package that no longer exists is dropped from it.
func TestLayersListed(t *testing.T) {
	module, pkgs := listPackages(t)
	seen := map[string]bool{}
	for _, p := range pkgs {
		seen[strings.TrimPrefix(p.ImportPath, module+"/")] = true
	}
	for name := range layer {
		if !seen[name] {
			t.Errorf("layer lists %s, which is not a package of the module", name)
		}
	}
}
