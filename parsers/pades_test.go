package parsers

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/smallstep/pkcs7"
)

// padesSign signs pdf inside, as a signing tool does: an incremental update appends a signature
// dictionary whose /Contents, reserved as zeros, receives a detached CMS signature over every
// byte of the file but that string (/ByteRange).
func padesSign(t testing.TB, pdf []byte, s p7mTestSigner, subFilter string) []byte {
	t.Helper()
	last := func(re string) string {
		m := regexp.MustCompile(re).FindAllSubmatch(pdf, -1)
		if len(m) == 0 {
			t.Fatalf("no %s in the PDF", re)
		}
		return string(m[len(m)-1][1])
	}
	var size, prev int
	fmt.Sscan(last(`/Size\s+(\d+)`), &size)
	fmt.Sscan(last(`startxref\s+(\d+)`), &prev)
	root := last(`/Root\s+(\d+\s+\d+)\s+R`)

	const reserved = 8192 // hex digits
	const placeholder = "[0 0000000000 0000000000 0000000000]"
	var b bytes.Buffer
	b.Write(pdf)
	if !bytes.HasSuffix(pdf, []byte("\n")) {
		b.WriteByte('\n')
	}
	obj := b.Len()
	fmt.Fprintf(&b, "%d 0 obj\n<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /%s /ByteRange ", size, subFilter)
	brAt := b.Len()
	b.WriteString(placeholder + " /Contents ")
	holeStart := b.Len()
	b.WriteString("<" + strings.Repeat("0", reserved) + ">")
	holeEnd := b.Len()
	b.WriteString(" /M (D:20261201090000+01'00') >>\nendobj\n")
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 1\n0000000000 65535 f \n%d 1\n%010d 00000 n \ntrailer\n<< /Size %d /Root %s R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n",
		size, obj, size+1, root, prev, xref)
	data := b.Bytes()
	copy(data[brAt:], fmt.Sprintf("[0 %010d %010d %010d]", holeStart, holeEnd, len(data)-holeEnd))

	signed := append(append([]byte{}, data[:holeStart]...), data[holeEnd:]...)
	sd, err := pkcs7.NewSignedData(signed)
	if err != nil {
		t.Fatal(err)
	}
	if err := sd.AddSigner(s.cert, s.key, pkcs7.SignerInfoConfig{}); err != nil {
		t.Fatal(err)
	}
	sd.Detach()
	der, err := sd.Finish()
	if err != nil {
		t.Fatal(err)
	}
	if 2*len(der) > reserved {
		t.Fatalf("signature of %d bytes does not fit", len(der))
	}
	hex.Encode(data[holeStart+1:], der)
	return data
}

func TestPAdES(t *testing.T) {
	pdf, err := os.ReadFile("../testdata/forms/informativa_generale_venezia.pdf")
	if err != nil {
		t.Fatalf("fixture missing: %v", err)
	}
	rossi := p7mNewSigner(t, p7mPerson("MARIO", "ROSSI", "TINIT-RSSMRA80A01H501U"))
	mario := Signer{File: "informativa.pdf", Name: "MARIO ROSSI", CodiceFiscale: "RSSMRA80A01H501U"}
	cades := padesSign(t, pdf, rossi, "ETSI.CAdES.detached")

	// A value changed inside what was signed, keeping every offset: the signature no longer
	// covers the file.
	tampered := bytes.Replace(cades, []byte("00339370272"), []byte("00339370273"), 1)
	if bytes.Equal(tampered, cades) {
		t.Fatal("the fixture no longer holds Venezia's codice fiscale as text")
	}
	// Something appended after signing (an incremental update): the signature covers an
	// earlier revision.
	updated := append(append([]byte{}, cades...), []byte("5 0 obj\n<< >>\nendobj\n%%EOF\n")...)
	// The byte range leaves out more than the signature.
	shifted := regexp.MustCompile(`/ByteRange \[0 (\d{10})`).ReplaceAllFunc(cades, func(m []byte) []byte {
		var n int
		fmt.Sscan(string(m[len("/ByteRange [0 "):]), &n)
		return fmt.Appendf(nil, "/ByteRange [0 %010d", n-10)
	})

	cases := []struct {
		name string
		data []byte
		want []Signer
	}{
		{"ETSI.CAdES.detached", cades, []Signer{mario}},
		{"adbe.pkcs7.detached", padesSign(t, pdf, rossi, "adbe.pkcs7.detached"), []Signer{mario}},
		{"two signers, one after the other", padesSign(t, cades, p7mNewSigner(t, p7mPerson("ANNA", "BIANCHI", "TINIT-BNCNNA85M41L736X")), "ETSI.CAdES.detached"),
			[]Signer{{File: "informativa.pdf", Name: "MARIO ROSSI", CodiceFiscale: "RSSMRA80A01H501U", Partial: true},
				{File: "informativa.pdf", Name: "ANNA BIANCHI", CodiceFiscale: "BNCNNA85M41L736X"}}},
		{"a time-stamp is not a signer", padesSign(t, pdf, rossi, "ETSI.RFC3161"), nil},
		{"changed after signing", tampered, nil},
		{"updated after signing", updated, []Signer{{File: "informativa.pdf", Name: "MARIO ROSSI", CodiceFiscale: "RSSMRA80A01H501U", Partial: true}}},
		{"a byte range that does not end at the signature", shifted, nil},
		{"unsigned", pdf, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := pdfSigners("informativa.pdf", c.data); !reflect.DeepEqual(got, c.want) {
				t.Errorf("signers %+v, want %+v", got, c.want)
			}
		})
	}

	// Read like any PDF, through a message: the same forms as unsigned, and the signer kept.
	read := func(data []byte) *Analysis {
		raw := "From: a@comune.venezia.it\r\nMessage-ID: <pades@x>\r\nSubject: moduli\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n" +
			"--B\r\nContent-Type: text/plain\r\n\r\nIn allegato il modulo firmato.\r\n" +
			"--B\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=informativa.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
			base64Lines(data) + "--B--\r\n"
		a, err := Analyze(strings.NewReader(raw), Limits{})
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	plain, signed := read(pdf), read(cades)
	if !reflect.DeepEqual(signed.Signers, []Signer{mario}) {
		t.Errorf("signers of the signed PDF: %+v", signed.Signers)
	}
	if len(signed.Forms) == 0 || !reflect.DeepEqual(signed.Forms, plain.Forms) || len(signed.Rejected)+len(signed.Unreadable) > 0 {
		t.Errorf("the signed PDF was not read like the unsigned one:\n%+v\nvs\n%+v\nrejected %+v %+v", signed.Forms, plain.Forms, signed.Rejected, signed.Unreadable)
	}
}

func FuzzPDFSigners(f *testing.F) {
	pdf, err := os.ReadFile("../testdata/forms/informativa_generale_venezia.pdf")
	if err != nil {
		f.Fatalf("fixture missing: %v", err)
	}
	rossi := p7mNewSigner(f, p7mPerson("MARIO", "ROSSI", "TINIT-RSSMRA80A01H501U"))
	signed := padesSign(f, pdf, rossi, "ETSI.CAdES.detached")
	i := bytes.Index(signed, []byte("/Type /Sig"))
	f.Add(signed[i-20:])
	f.Add([]byte("/SubFilter /adbe.pkcs7.detached /ByteRange [0 10 12 0] /Contents <3080>"))
	f.Add([]byte("/ByteRange [0 1 999999999999 1] /SubFilter /ETSI.CAdES.detached"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, s := range pdfSigners("x.pdf", data) {
			if s.File != "x.pdf" {
				t.Fatalf("signer without its file: %+v", s)
			}
		}
	})
}
