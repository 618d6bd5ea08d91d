package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestFieldKeysUpToDate fails when parsers/fieldkeys.go does not match the schema: a field
// added, renamed or removed in parsers/schema.go without `go generate ./parsers`.
func TestFieldKeysUpToDate(t *testing.T) {
	dir := filepath.Join("..", "..", "parsers")
	want, err := generate(filepath.Join(dir, "schema.go"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(dir, "fieldkeys.go"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("parsers/fieldkeys.go is stale: run go generate ./parsers")
	}
}

func TestConstName(t *testing.T) {
	for key, want := range map[string]string{
		"ente.codice_fiscale":             "KeyEnteCodiceFiscale",
		"servizi":                         "KeyServizi",
		"azienda.email_referente_tecnico": "KeyAziendaEmailReferenteTecnico",
	} {
		if got := ConstName(key); got != want {
			t.Errorf("ConstName(%q) = %q, want %q", key, got, want)
		}
	}
}
