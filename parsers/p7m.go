package parsers

import (
	"bytes"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/smallstep/pkcs7"
)

// Signer is who signed a .p7m file or a PDF (PAdES), as read from the certificate (not verified: mailbot records
// the declared identity; the Region checks signatures with its own tools).
type Signer struct {
	File          string `json:"file"`
	Name          string `json:"name"`
	CodiceFiscale string `json:"codice_fiscale"`
	// Partial: a PDF's embedded signature covers an earlier revision of the file; what was
	// added after it (an incremental update) is not signed.
	Partial bool `json:"partial,omitempty"`
}

// errDetached reports a .p7m that carries only a signature, not the file signed.
var errDetached = errors.New("signature without content")

// oidSignedDataDER is the DER encoding of 1.2.840.113549.1.7.2 (CMS SignedData), which opens every
// .p7m: finding it early tells a nested envelope from a signed file that happens to be DER.
var oidSignedDataDER = []byte{0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02}

var (
	oidGivenName = asn1.ObjectIdentifier{2, 5, 4, 42}
	oidSurname   = asn1.ObjectIdentifier{2, 5, 4, 4}
)

// openP7M removes every CAdES envelope around a file named name (".p7m", ".p7m.p7m", or a
// signed file whose content is itself a SignedData) and returns the inner file's name (without
// ".p7m"), its bytes and the signers, outermost first. At most maxLevels envelopes are opened.
func openP7M(name string, data []byte, maxLevels int) (inner string, content []byte, signers []Signer, err error) {
	inner, content = name, data
	for level := 0; ; level++ {
		wrapped := hasP7MSuffix(inner)
		der, ok := p7mDER(content)
		if !wrapped && (!ok || !looksSignedData(der)) {
			return inner, content, signers, nil
		}
		if !ok {
			return "", nil, signers, fmt.Errorf("%s: neither DER nor base64 CMS", inner)
		}
		if level >= maxLevels {
			return "", nil, signers, fmt.Errorf("%s: more than %d signed envelopes: %w", name, maxLevels, ErrLimit)
		}
		body, ss, err := unwrapP7M(der)
		if err != nil {
			return "", nil, signers, fmt.Errorf("%s: %w", inner, err)
		}
		for i := range ss {
			ss[i].File = inner
		}
		signers = append(signers, ss...)
		if wrapped {
			inner = inner[:len(inner)-len(".p7m")]
		}
		content = body
	}
}

func hasP7MSuffix(name string) bool {
	return len(name) > len(".p7m") && strings.EqualFold(name[len(name)-len(".p7m"):], ".p7m")
}

func looksSignedData(der []byte) bool {
	head := der
	if len(head) > 32 {
		head = head[:32]
	}
	return bytes.Contains(head, oidSignedDataDER)
}

// p7mDER returns the DER (or BER) bytes of a .p7m, which tools save either raw or in base64,
// with or without PEM armour and line breaks.
func p7mDER(data []byte) ([]byte, bool) {
	if len(data) > 1 && data[0] == 0x30 {
		return data, true
	}
	var b64 bytes.Buffer
	for _, line := range bytes.Split(data, []byte("\n")) {
		line = bytes.TrimSpace(line)
		if bytes.HasPrefix(line, []byte("-----")) {
			continue // PEM armour
		}
		b64.Write(line)
	}
	s := strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' || r == '\r' {
			return -1
		}
		return r
	}, b64.String())
	der, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		der, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(s, "="))
	}
	if err != nil || len(der) < 2 || der[0] != 0x30 {
		return nil, false
	}
	return der, true
}

// unwrapP7M opens one CMS SignedData envelope. The signature is not verified (see Signer).
func unwrapP7M(der []byte) (content []byte, signers []Signer, err error) {
	defer func() {
		if r := recover(); r != nil {
			content, signers, err = nil, nil, fmt.Errorf("parse CMS: panic: %v", r)
		}
	}()
	p7, err := pkcs7.Parse(der)
	if err != nil {
		return nil, nil, fmt.Errorf("parse CMS: %w", err)
	}
	if len(p7.Content) == 0 {
		return nil, nil, errDetached
	}
	if c := p7.GetOnlySigner(); c != nil {
		signers = append(signers, signerOf(c))
	} else {
		// Several signers, or a SignerInfo naming its certificate by key identifier (CAdES
		// allows it, the library does not match it): every end-entity certificate signed.
		for _, c := range p7.Certificates {
			if !c.IsCA {
				signers = append(signers, signerOf(c))
			}
		}
	}
	return p7.Content, signers, nil
}

// signerOf reads a person's identity from an Italian qualified certificate: givenName and surname
// (the CN of smart cards is often "CF/serial"), and the codice fiscale in serialNumber as
// "TINIT-<CF>" (ETSI EN 319 412-1) or the older "IT:<CF>".
func signerOf(c *x509.Certificate) Signer {
	var given, sur string
	for _, n := range c.Subject.Names {
		v, _ := n.Value.(string)
		switch {
		case n.Type.Equal(oidGivenName):
			given = v
		case n.Type.Equal(oidSurname):
			sur = v
		}
	}
	s := Signer{Name: cleanSpace(given + " " + sur)}
	if given == "" || sur == "" {
		s.Name = cleanSpace(c.Subject.CommonName)
	}
	sn := strings.TrimSpace(c.Subject.SerialNumber)
	switch u := strings.ToUpper(sn); {
	case strings.HasPrefix(u, "TINIT-"):
		s.CodiceFiscale = u[len("TINIT-"):]
	case strings.HasPrefix(u, "IT:"):
		s.CodiceFiscale = u[len("IT:"):]
	case len(u) == 16 && isAlnum(u):
		s.CodiceFiscale = u
	}
	return s
}

func isAlnum(s string) bool {
	for _, r := range s {
		if !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}
