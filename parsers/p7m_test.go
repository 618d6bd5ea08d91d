package parsers

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"math/big"
	"testing"
	"time"

	"github.com/smallstep/pkcs7"
)

// p7mTestSigner is a throw-away certificate shaped like an Italian qualified one.
type p7mTestSigner struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

func p7mNewSigner(t testing.TB, subject pkix.Name) p7mTestSigner {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(42),
		Subject:      subject,
		NotBefore:    time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:     time.Date(2029, 1, 1, 0, 0, 0, 0, time.UTC),
		KeyUsage:     x509.KeyUsageContentCommitment,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return p7mTestSigner{cert, key}
}

func p7mPerson(given, surname, serial string) pkix.Name {
	return pkix.Name{
		Country:      []string{"IT"},
		CommonName:   surname + " " + given,
		SerialNumber: serial,
		ExtraNames: []pkix.AttributeTypeAndValue{
			{Type: oidGivenName, Value: given},
			{Type: oidSurname, Value: surname},
		},
	}
}

func (s p7mTestSigner) sign(t testing.TB, content []byte, detached bool) []byte {
	t.Helper()
	sd, err := pkcs7.NewSignedData(content)
	if err != nil {
		t.Fatal(err)
	}
	if err := sd.AddSigner(s.cert, s.key, pkcs7.SignerInfoConfig{}); err != nil {
		t.Fatal(err)
	}
	if detached {
		sd.Detach()
	}
	out, err := sd.Finish()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestOpenP7M(t *testing.T) {
	rossi := p7mNewSigner(t, p7mPerson("MARIO", "ROSSI", "TINIT-RSSMRA80A01H501U"))
	bianchi := p7mNewSigner(t, p7mPerson("ANNA", "BIANCHI", "IT:BNCNNA85M41L736X"))
	cnOnly := p7mNewSigner(t, pkix.Name{CommonName: "Verdi Luca", SerialNumber: "VRDLCU70A01L736Z"})
	company := p7mNewSigner(t, pkix.Name{CommonName: "Software SRL", SerialNumber: "VATIT-01234567890"})
	pdf := []byte("%PDF-1.4 modulo")

	der := rossi.sign(t, pdf, false)
	double := bianchi.sign(t, rossi.sign(t, pdf, false), false)
	pemArmour := pem.EncodeToMemory(&pem.Block{Type: "PKCS7", Bytes: der})
	wrapped76 := func(b []byte) []byte {
		s := base64.StdEncoding.EncodeToString(b)
		var out bytes.Buffer
		for len(s) > 76 {
			out.WriteString(s[:76] + "\r\n")
			s = s[76:]
		}
		out.WriteString(s)
		return out.Bytes()
	}

	mario := Signer{Name: "MARIO ROSSI", CodiceFiscale: "RSSMRA80A01H501U"}
	anna := Signer{Name: "ANNA BIANCHI", CodiceFiscale: "BNCNNA85M41L736X"}
	cases := []struct {
		name      string
		file      string
		data      []byte
		maxLevels int
		inner     string
		signers   []Signer // File filled in below from the case when empty
		err       error    // errors.Is target; nil means success
		anyErr    bool
	}{
		{name: "DER", file: "modulo.pdf.p7m", data: der, inner: "modulo.pdf", signers: []Signer{p7mWithFile(mario, "modulo.pdf.p7m")}},
		{name: "base64 with CRLF every 76", file: "modulo.pdf.p7m", data: wrapped76(der), inner: "modulo.pdf", signers: []Signer{p7mWithFile(mario, "modulo.pdf.p7m")}},
		{name: "PEM armour", file: "modulo.pdf.P7M", data: pemArmour, inner: "modulo.pdf", signers: []Signer{p7mWithFile(mario, "modulo.pdf.P7M")}},
		{name: "nested .p7m.p7m, outer in base64", file: "modulo.pdf.p7m.p7m", data: wrapped76(double), inner: "modulo.pdf",
			signers: []Signer{p7mWithFile(anna, "modulo.pdf.p7m.p7m"), p7mWithFile(mario, "modulo.pdf.p7m")}},
		{name: "double envelope under a single .p7m", file: "modulo.pdf.p7m", data: double, inner: "modulo.pdf",
			signers: []Signer{p7mWithFile(anna, "modulo.pdf.p7m"), p7mWithFile(mario, "modulo.pdf")}},
		{name: "common name when no given name and surname", file: "a.pdf.p7m", data: cnOnly.sign(t, pdf, false), inner: "a.pdf",
			signers: []Signer{{File: "a.pdf.p7m", Name: "Verdi Luca", CodiceFiscale: "VRDLCU70A01L736Z"}}},
		{name: "company serial is not a codice fiscale", file: "a.pdf.p7m", data: company.sign(t, pdf, false), inner: "a.pdf",
			signers: []Signer{{File: "a.pdf.p7m", Name: "Software SRL"}}},
		{name: "not signed: passed through", file: "modulo.pdf", data: pdf, inner: "modulo.pdf"},
		{name: "detached signature", file: "modulo.pdf.p7m", data: rossi.sign(t, pdf, true), err: errDetached},
		{name: "too many envelopes", file: "modulo.pdf.p7m.p7m", data: double, maxLevels: 1, err: ErrLimit},
		{name: "garbage named .p7m", file: "x.p7m", data: []byte("non sono una firma"), anyErr: true},
		{name: "truncated DER", file: "x.p7m", data: der[:len(der)/2], anyErr: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			max := c.maxLevels
			if max == 0 {
				max = 8
			}
			inner, content, signers, err := openP7M(c.file, c.data, max)
			switch {
			case c.err != nil || c.anyErr:
				if err == nil || c.err != nil && !errors.Is(err, c.err) {
					t.Fatalf("err = %v, want %v", err, c.err)
				}
				return
			case err != nil:
				t.Fatal(err)
			}
			if inner != c.inner {
				t.Errorf("inner = %q, want %q", inner, c.inner)
			}
			if !bytes.Equal(content, pdf) {
				t.Errorf("content = %q", content)
			}
			if len(signers) != len(c.signers) {
				t.Fatalf("signers = %+v, want %+v", signers, c.signers)
			}
			for i := range signers {
				if signers[i] != c.signers[i] {
					t.Errorf("signer %d = %+v, want %+v", i, signers[i], c.signers[i])
				}
			}
		})
	}
}

func p7mWithFile(s Signer, file string) Signer { s.File = file; return s }

func FuzzOpenP7M(f *testing.F) {
	s := p7mNewSigner(f, p7mPerson("MARIO", "ROSSI", "TINIT-RSSMRA80A01H501U"))
	der := s.sign(f, []byte("%PDF-1.4"), false)
	f.Add("a.pdf.p7m", der)
	f.Add("a.pdf.p7m.p7m", s.sign(f, der, false))
	f.Add("a.pdf.p7m", []byte(base64.StdEncoding.EncodeToString(der)))
	f.Add("a.pdf.p7m", s.sign(f, []byte("x"), true))
	f.Add("a.pdf.p7m", der[:40])
	f.Add("a.pdf", []byte{0x30, 0x80, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02, 0xa0, 0x80})
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		inner, content, _, err := openP7M(name, data, 4)
		if err == nil && hasP7MSuffix(name) && inner == name {
			t.Fatalf("%q opened without losing its .p7m suffix", name)
		}
		if err == nil && content == nil && data != nil {
			t.Fatalf("no error and no content")
		}
	})
}
