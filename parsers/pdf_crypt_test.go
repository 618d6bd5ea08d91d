package parsers

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
)

// TestPDFEncrypted: a form encrypted with an owner password only (editing forbidden, opening
// free) reads as the same form unencrypted, with RC4 of 40 and 128 bits and with AES-128; one
// that needs a user password to open is refused as encrypted.
func TestPDFEncrypted(t *testing.T) {
	api.DisableConfigDir()
	plain := buildPDF([]string{"Esiti collaudo", "Esito: positivo"}, []string{"ente.codice_fiscale"})
	want := pdfItemText(t, plain)
	encrypt := func(conf *model.Configuration) []byte {
		t.Helper()
		var out bytes.Buffer
		if err := api.Encrypt(bytes.NewReader(plain), &out, conf); err != nil {
			t.Fatalf("pdfcpu: %v", err)
		}
		return out.Bytes()
	}
	for name, conf := range map[string]*model.Configuration{
		"RC4 40":  model.NewRC4Configuration("", "proprietario", 40),
		"RC4 128": model.NewRC4Configuration("", "proprietario", 128),
		"AES 128": model.NewAESConfiguration("", "proprietario", 128),
	} {
		t.Run(name, func(t *testing.T) {
			data := encrypt(conf)
			if !bytes.Contains(data, []byte("/Encrypt")) {
				t.Fatal("not encrypted")
			}
			if got := pdfItemText(t, data); got != want {
				t.Errorf("read %q, unencrypted %q", got, want)
			}
		})
	}
	_, err := pdfRead(context.Background(), "x.pdf", encrypt(model.NewAESConfiguration("utente", "proprietario", 128)), Limits{})
	var de *DocumentError
	if !errors.As(err, &de) || de.Key != reasonEncrypted {
		t.Errorf("with a user password: %v, want refused as encrypted", err)
	}
}
