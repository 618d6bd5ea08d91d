//go:build ignore

// gen writes the fixtures of testdata/mail that are not written by hand: messages with .p7m
// attachments (a throw-away self-signed certificate, as an Italian qualified one looks), a MIME
// bomb nested deeper than the limit and a message with more parts than allowed.
//
//	go run testdata/mail/gen.go
package main

import (
	"archive/zip"
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"fmt"
	"log"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/smallstep/pkcs7"
)

const dir = "testdata/mail"

func main() {
	write("p7m-attachment.eml", p7mMessage())
	write("bomb-nested.eml", bomb(40))
	write("too-many-parts.eml", manyParts(250))
}

func write(name, s string) {
	if err := os.WriteFile(filepath.Join(dir, name), []byte(strings.ReplaceAll(s, "\n", "\r\n")), 0o644); err != nil {
		log.Fatal(err)
	}
}

// signer is a self-signed certificate with the fields of an Italian signature certificate.
type signer struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

func newSigner(given, surname, cf string) signer {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		log.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject: pkix.Name{
			Country:      []string{"IT"},
			CommonName:   surname + " " + given,
			SerialNumber: "TINIT-" + cf,
			ExtraNames: []pkix.AttributeTypeAndValue{
				{Type: asn1.ObjectIdentifier{2, 5, 4, 42}, Value: given},
				{Type: asn1.ObjectIdentifier{2, 5, 4, 4}, Value: surname},
			},
		},
		NotBefore: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:  time.Date(2029, 1, 1, 0, 0, 0, 0, time.UTC),
		KeyUsage:  x509.KeyUsageContentCommitment,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		log.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		log.Fatal(err)
	}
	return signer{cert, key}
}

func (s signer) sign(content []byte, detached bool) []byte {
	sd, err := pkcs7.NewSignedData(content)
	if err != nil {
		log.Fatal(err)
	}
	sd.SetDigestAlgorithm(pkcs7.OIDDigestAlgorithmSHA256)
	if err := sd.AddSigner(s.cert, s.key, pkcs7.SignerInfoConfig{}); err != nil {
		log.Fatal(err)
	}
	if detached {
		sd.Detach()
	}
	out, err := sd.Finish()
	if err != nil {
		log.Fatal(err)
	}
	return out
}

// docx builds a minimal Word document whose paragraphs are lines.
func docx(lines ...string) []byte {
	var buf bytes.Buffer
	z := zip.NewWriter(&buf)
	add := func(name, body string) {
		w, err := z.Create(name)
		if err != nil {
			log.Fatal(err)
		}
		w.Write([]byte(body))
	}
	add("[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`)
	add("_rels/.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`)
	var body strings.Builder
	for _, l := range lines {
		fmt.Fprintf(&body, `<w:p><w:r><w:t xml:space="preserve">%s</w:t></w:r></w:p>`, l)
	}
	add("word/document.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>`+body.String()+`</w:body></w:document>`)
	if err := z.Close(); err != nil {
		log.Fatal(err)
	}
	return buf.Bytes()
}

func b64(b []byte) string {
	s := base64.StdEncoding.EncodeToString(b)
	var out strings.Builder
	for len(s) > 76 {
		out.WriteString(s[:76] + "\n")
		s = s[76:]
	}
	out.WriteString(s)
	return out.String()
}

func p7mMessage() string {
	rossi := newSigner("MARIO", "ROSSI", "RSSMRA80A01H501U")
	bianchi := newSigner("ANNA", "BIANCHI", "BNCNNA85M41L736X")

	informativa := docx(
		"Informativa Generale dell'ente",
		"Denominazione ente: Comune di Esempio",
		"Codice fiscale ente: 00339370272",
		"Codice IPA: c_x123",
	)
	qualificazione := docx(
		"Qualificazione Ente-Prodotto",
		"Denominazione ente: Comune di Esempio",
		"Nome prodotto: Tributi Facili",
		"IP chiamanti in collaudo: 203.0.113.50",
	)
	// One envelope, DER, as Dike and ArubaSign save it.
	single := rossi.sign(informativa, false)
	// Signed twice (ente and software house), the outer envelope saved in base64.
	double := []byte(b64(bianchi.sign(rossi.sign(qualificazione, false), false)))
	// A detached signature: the file itself was not sent.
	detached := rossi.sign(informativa, true)

	return fmt.Sprintf(`From: Mario Rossi <mario.rossi@comune.esempio.it>
To: call.center@regione.veneto.it
Subject: Moduli firmati digitalmente
Date: Thu, 26 Nov 2026 12:00:00 +0100
Message-ID: <p7m-1@comune.esempio.it>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="P7M"

--P7M
Content-Type: text/plain; charset=utf-8

In allegato i moduli firmati digitalmente.
--P7M
Content-Type: application/pkcs7-mime; name="informativa_generale.docx.p7m"
Content-Disposition: attachment; filename="informativa_generale.docx.p7m"
Content-Transfer-Encoding: base64

%s
--P7M
Content-Type: application/octet-stream; name="qualificazione_ente_prodotto.docx.p7m.p7m"
Content-Disposition: attachment; filename="qualificazione_ente_prodotto.docx.p7m.p7m"
Content-Transfer-Encoding: base64

%s
--P7M
Content-Type: application/pkcs7-mime; name="firma_separata.docx.p7m"
Content-Disposition: attachment; filename="firma_separata.docx.p7m"
Content-Transfer-Encoding: base64

%s
--P7M--
`, b64(single), b64(double), b64(detached))
}

// bomb nests multipart/mixed levels deep, each level with a line of text.
func bomb(levels int) string {
	var b strings.Builder
	b.WriteString("From: bomba@esempio.invalid\nTo: call.center@regione.veneto.it\nSubject: Matrioska\nMessage-ID: <bomb-1@esempio.invalid>\nMIME-Version: 1.0\n")
	fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=\"b0\"\n\n")
	for i := 0; i < levels; i++ {
		fmt.Fprintf(&b, "--b%d\nContent-Type: text/plain\n\nlivello %d\n", i, i)
		fmt.Fprintf(&b, "--b%d\nContent-Type: multipart/mixed; boundary=\"b%d\"\n\n", i, i+1)
	}
	fmt.Fprintf(&b, "--b%d\nContent-Type: text/plain\n\nfondo\n--b%d--\n", levels, levels)
	for i := levels - 1; i >= 0; i-- {
		fmt.Fprintf(&b, "--b%d--\n", i)
	}
	return b.String()
}

// manyParts writes a flat multipart/mixed with n text attachments.
func manyParts(n int) string {
	var b strings.Builder
	b.WriteString("From: tante.parti@comune.esempio.it\nTo: call.center@regione.veneto.it\nSubject: Molti allegati\nMessage-ID: <many-1@comune.esempio.it>\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"MANY\"\n\n")
	b.WriteString("--MANY\nContent-Type: text/plain; charset=utf-8\n\nTesto del messaggio.\n")
	for i := 1; i < n; i++ {
		fmt.Fprintf(&b, "--MANY\nContent-Type: text/plain; name=\"nota-%03d.txt\"\nContent-Disposition: attachment; filename=\"nota-%03d.txt\"\n\nnota %d\n", i, i, i)
	}
	b.WriteString("--MANY--\n")
	return b.String()
}
