package corpus

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// TestCommittedUpToDate fails when the files corpusgen writes itself (Word XML, mail, the
// manifest) differ from the committed ones: the expectations and the documents stay together.
// LibreOffice's files are not compared (not byte-stable); their sources are covered by the
// manifest.
func TestCommittedUpToDate(t *testing.T) {
	committedUpToDate(t, Build, "corpus", "run internal/corpus/regen.sh (or go run ./internal/corpus/cmd/corpusgen without LibreOffice)")
}

func TestHoldoutCommittedUpToDate(t *testing.T) {
	committedUpToDate(t, BuildHoldout, "holdout", "run internal/corpus/regen_holdout.sh (or go run ./internal/corpus/cmd/corpusgen -holdout without LibreOffice)")
}

func committedUpToDate(t *testing.T, build func() (*Corpus, error), set, regen string) {
	c, err := build()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join("..", "..", "testdata", "forms", set)
	for name, want := range c.Files {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s is not what the generator makes; %s", name, regen)
		}
	}
	want, err := json.MarshalIndent(c.Manifest, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil || !bytes.Equal(got, append(want, '\n')) {
		t.Errorf("manifest.json is not what the generator makes; %s", regen)
	}
	for _, d := range c.Manifest.Documents {
		if _, err := os.Stat(filepath.Join(dir, d.File)); err != nil {
			t.Errorf("%s is in the manifest but not committed; %s", d.File, regen)
		}
	}
}

func TestIdentifiers(t *testing.T) {
	if got := cfEnte("8000758027"); got != "80007580279" { // Regione del Veneto
		t.Errorf("cfEnte = %s", got)
	}
	if got := cfEnte("0033937027"); got != "00339370272" { // Comune di Venezia
		t.Errorf("cfEnte = %s", got)
	}
	if got := cfPerson("Rossi", "Mario", 1980, 1, 1, false, "L736"); got != "RSSMRA80A01L736U" {
		t.Errorf("cfPerson = %s", got)
	}
	if got := ibanIT("03069", "02117", "100000046001"); got != "IT55R0306902117100000046001" {
		t.Errorf("ibanIT = %s", got)
	}
}
