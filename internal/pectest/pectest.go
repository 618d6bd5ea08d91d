// Package pectest makes, at test time, what PEC tests need: a PEC provider with its signing
// certificate issued by a CA, the index of providers (LDIF, as AgID publishes it) listing it,
// and PEC envelopes signed by it (S/MIME multipart/signed with smime.p7s), by a stranger, or by a
// forger's self-signed certificate.
package pectest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/smallstep/pkcs7"
)

// Provider is a PEC provider that signs envelopes.
type Provider struct {
	Name string
	Cert *x509.Certificate
	key  crypto.Signer
	// Digest is the digest algorithm of its signatures (pkcs7.OIDDigestAlgorithm*); SHA-256
	// when nil.
	Digest asn1.ObjectIdentifier
}

// NewProvider makes a provider whose signing certificate a CA of its own issued, valid for ten
// years either side of now (tests with a fixed clock and tests with the real one share it).
func NewProvider(name string, now time.Time) (*Provider, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	return NewProviderWith(name, key, now.AddDate(-10, 0, 0), now.AddDate(10, 0, 0))
}

// NewProviderWith makes a provider signing with key, whose certificate, valid from notBefore
// to notAfter, a CA of its own issued (the CA valid ten years either side of both).
func NewProviderWith(name string, key crypto.Signer, notBefore, notAfter time.Time) (*Provider, error) {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	ca := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name + " CA"},
		NotBefore: notBefore.AddDate(-10, 0, 0), NotAfter: notAfter.AddDate(10, 0, 0),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, err
	}
	caCert, _ := x509.ParseCertificate(caDER)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: name, Organization: []string{name}},
		NotBefore: notBefore, NotAfter: notAfter, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, key.Public(), caKey)
	if err != nil {
		return nil, err
	}
	cert, _ := x509.ParseCertificate(der)
	return &Provider{Name: name, Cert: cert, key: key}, nil
}

// NewSelfSigned makes a forger's provider: the same name as a real one, but a certificate that
// signs itself, as anyone can make with openssl.
func NewSelfSigned(name string, now time.Time) (*Provider, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(3), Subject: pkix.Name{CommonName: name, Organization: []string{name}},
		NotBefore: now.AddDate(-10, 0, 0), NotAfter: now.AddDate(10, 0, 0),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	cert, _ := x509.ParseCertificate(der)
	return &Provider{Name: name, Cert: cert, key: key}, nil
}

// LDIF is an index of PEC providers listing ps, in the shape of AgID's: one entry each, the
// certificate base64 after "providerCertificate;binary::", folded at 76 columns.
func LDIF(ps ...*Provider) []byte {
	var b strings.Builder
	b.WriteString("version: 1\n\n# index of PEC providers (test)\n")
	for i, p := range ps {
		fmt.Fprintf(&b, "dn: o=%s,o=postacert\nobjectclass: top\nobjectclass: provider\nproviderName: %s\nmanagedDomains: pec%d.example.it\n", p.Name, p.Name, i)
		line := "providerCertificate;binary:: " + base64.StdEncoding.EncodeToString(p.Cert.Raw)
		for len(line) > 76 {
			b.WriteString(line[:76] + "\n ")
			line = line[76:]
		}
		b.WriteString(line + "\n\n")
	}
	return []byte(b.String())
}

// Envelope wraps inner (a whole message) as p delivers it: daticert.xml certifying mittente,
// the notice, postacert.eml, all signed in smime.p7s. alter, if set, changes the signed part
// after signing, as a forger editing a genuine envelope would.
func (p *Provider) Envelope(mittente, to, subject, inner string, alter func(string) string) (string, error) {
	id := time.Now().UnixNano()
	content := "Content-Type: multipart/mixed; boundary=\"PEC\"\r\n\r\n" +
		"--PEC\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nMessaggio di posta certificata inviato da " + mittente + "\r\n" +
		"--PEC\r\nContent-Type: application/xml; name=\"daticert.xml\"\r\nContent-Disposition: inline; filename=\"daticert.xml\"\r\n\r\n" +
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<postacert tipo=\"posta-certificata\" errore=\"nessuno\"><intestazione><mittente>" + mittente +
		"</mittente><destinatari tipo=\"esterno\">" + to + "</destinatari></intestazione><dati><gestore-emittente>" + p.Name + "</gestore-emittente><msgid>&lt;inner." + fmt.Sprint(id) + "@pec&gt;</msgid></dati></postacert>\r\n" +
		"--PEC\r\nContent-Type: message/rfc822; name=\"postacert.eml\"\r\nContent-Disposition: inline; filename=\"postacert.eml\"\r\n\r\n" +
		strings.TrimRight(inner, "\r\n") + "\r\n--PEC--"
	// S/MIME signs the canonical form, CRLF line ends (RFC 8551 3.1.1): a bare LF would be
	// turned into CRLF by the first MTA and the signature would no longer hold.
	content = strings.ReplaceAll(strings.ReplaceAll(content, "\r\n", "\n"), "\n", "\r\n")
	sd, err := pkcs7.NewSignedData([]byte(content))
	if err != nil {
		return "", err
	}
	digest := p.Digest
	if digest == nil {
		digest = pkcs7.OIDDigestAlgorithmSHA256 // as micalg says
	}
	sd.SetDigestAlgorithm(digest)
	if err := sd.AddSigner(p.Cert, p.key, pkcs7.SignerInfoConfig{}); err != nil {
		return "", err
	}
	sd.Detach()
	sig, err := sd.Finish()
	if err != nil {
		return "", err
	}
	if alter != nil {
		content = alter(content)
	}
	enc := base64.StdEncoding.EncodeToString(sig)
	var folded strings.Builder
	for len(enc) > 76 {
		folded.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	folded.WriteString(enc)
	return fmt.Sprintf("From: \"Per conto di: %[1]s\" <posta-certificata@pec.example.it>\r\nReply-To: %[1]s\r\nTo: %[2]s\r\n"+
		"Subject: POSTA CERTIFICATA: %[3]s\r\nDate: Thu, 26 Nov 2026 10:15:00 +0100\r\nMessage-ID: <opec.%[4]d@pec.example.it>\r\n"+
		"X-Trasporto: posta-certificata\r\nMIME-Version: 1.0\r\n"+
		"Content-Type: multipart/signed; protocol=\"application/x-pkcs7-signature\"; micalg=\"sha-256\"; boundary=\"SIG\"\r\n\r\n"+
		"This is an S/MIME signed message\r\n\r\n--SIG\r\n%[5]s\r\n--SIG\r\n"+
		"Content-Type: application/x-pkcs7-signature; name=\"smime.p7s\"\r\nContent-Transfer-Encoding: base64\r\n"+
		"Content-Disposition: attachment; filename=\"smime.p7s\"\r\n\r\n%[6]s\r\n--SIG--\r\n",
		mittente, to, subject, id, content, folded.String()), nil
}
