package parsers

import (
	"bufio"
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"strings"
	"time"

	"github.com/smallstep/pkcs7"
)

// A PEC envelope is an S/MIME multipart/signed message: its first part (the provider's notice,
// daticert.xml and postacert.eml) signed by the sender's PEC provider in smime.p7s (RFC 6109,
// section 4.1). Anyone can write such a message with a certificate of their own, so the
// signature counts only when it verifies over the bytes of that first part and its signer
// chains to a certificate of the public index of PEC providers that AgID keeps (RFC 6109,
// section 5; see ParseProviderIndex).

// PECProvider is one entry of the index of PEC providers: its name and signing certificates.
type PECProvider struct {
	Name  string
	Certs [][]byte // DER
}

// maxProviderIndexBytes bounds the index: the real one is a few hundred KB.
const maxProviderIndexBytes = 16 << 20

// ParseProviderIndex reads the index of PEC providers as AgID publishes it: LDIF (RFC 2849),
// one entry per provider, with providerName and providerCertificate (DER, base64 after "::",
// as every binary LDAP attribute; ";binary" may follow the name), the schema of RFC 6109
// section 5.2. Other attributes (managedDomains, providerURL, ...) are ignored, as are
// comments and "version:". Every certificate must parse.
func ParseProviderIndex(data []byte) ([]PECProvider, error) {
	if len(data) > maxProviderIndexBytes {
		return nil, fmt.Errorf("provider index of %d bytes: %w", len(data), ErrLimit)
	}
	var (
		out   []PECProvider
		cur   PECProvider
		lines []string
	)
	// Unfold: a line starting with one space continues the previous one (rfc/2849:124).
	for _, l := range strings.Split(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n") {
		if strings.HasPrefix(l, " ") && len(lines) > 0 && lines[len(lines)-1] != "" {
			lines[len(lines)-1] += l[1:]
			continue
		}
		lines = append(lines, l)
	}
	flush := func() {
		if len(cur.Certs) > 0 {
			out = append(out, cur)
		}
		cur = PECProvider{}
	}
	for n, l := range lines {
		if strings.TrimSpace(l) == "" {
			flush()
			continue
		}
		if strings.HasPrefix(l, "#") {
			continue
		}
		name, value, ok := strings.Cut(l, ":")
		if !ok {
			return nil, fmt.Errorf("provider index line %d: no attribute", n+1)
		}
		name, _, _ = strings.Cut(strings.ToLower(strings.TrimSpace(name)), ";")
		b64 := strings.HasPrefix(value, ":")
		value = strings.TrimSpace(strings.TrimPrefix(value, ":"))
		switch name {
		case "providername":
			if b64 {
				v, err := base64.StdEncoding.DecodeString(value)
				if err != nil {
					return nil, fmt.Errorf("provider index line %d: providerName: %w", n+1, err)
				}
				value = string(v)
			}
			cur.Name = value
		case "providercertificate":
			if !b64 {
				return nil, fmt.Errorf("provider index line %d: providerCertificate is not base64 (\"::\")", n+1)
			}
			der, err := base64.StdEncoding.DecodeString(value)
			if err != nil {
				return nil, fmt.Errorf("provider index line %d: providerCertificate: %w", n+1, err)
			}
			if _, err := x509.ParseCertificate(der); err != nil {
				return nil, fmt.Errorf("provider index line %d: providerCertificate: %w", n+1, err)
			}
			cur.Certs = append(cur.Certs, der)
		}
	}
	flush()
	if len(out) == 0 {
		return nil, errors.New("provider index holds no providerCertificate: is it the LDIF of the PEC providers?")
	}
	return out, nil
}

// ErrPECUnsigned and ErrPECSignature tell why a PEC envelope was not verified: it carries no
// detached S/MIME signature, or the signature does not verify or chain to a provider.
var (
	ErrPECUnsigned  = errors.New("PEC envelope not signed (multipart/signed with smime.p7s)")
	ErrPECSignature = errors.New("PEC envelope signature not valid")
)

// What a verified provider signature is (README, "Hostile mail"). The algorithms are those still
// considered sound for signatures (SHA-256 or longer digests; RSA keys of 2048 bits or more;
// ECDSA on P-256, P-384, P-521), so a forger cannot rely on SHA-1 collisions, MD5 or a factored
// small key; PEC providers have signed with SHA-256 since the 2009 technical rules. The signer's
// certificate must chain to a certificate of the index (the index itself is the trust anchor, so
// its own self-signature is not judged), hold for e-mail protection, and be valid both at the
// instant of verifying and at the signing time the signature states.
const minRSABits = 2048

// VerifyPECEnvelope checks the provider's signature of a raw PEC envelope: a multipart/signed
// message whose second part, a PKCS#7 detached signature by one signer, verifies over the exact
// bytes of the first part (rfc/1847:185) with the algorithms above and whose signer chains, at
// the instant at and at its signing time, to roots (the providers' certificates of the index).
// It returns the signer's subject.
func VerifyPECEnvelope(raw []byte, roots *x509.CertPool, at time.Time) (string, error) {
	if roots == nil {
		return "", fmt.Errorf("%w: no index of PEC providers imported", ErrPECSignature)
	}
	br := bufio.NewReader(bytes.NewReader(raw))
	h, err := readHeader(br)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrPECUnsigned, err)
	}
	mt, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil || mt != "multipart/signed" || params["boundary"] == "" ||
		!strings.HasSuffix(strings.ToLower(params["protocol"]), "pkcs7-signature") {
		return "", ErrPECUnsigned
	}
	body, _ := io.ReadAll(br)
	content, sigPart, ok := signedParts(body, params["boundary"])
	if !ok {
		return "", fmt.Errorf("%w: parts not found", ErrPECUnsigned)
	}
	sbr := bufio.NewReader(bytes.NewReader(sigPart))
	sh, err := readHeader(sbr)
	if err != nil {
		return "", fmt.Errorf("%w: signature part: %v", ErrPECUnsigned, err)
	}
	enc, _ := io.ReadAll(sbr)
	der := enc
	if strings.EqualFold(strings.TrimSpace(sh.Get("Content-Transfer-Encoding")), "base64") {
		if der, err = base64.StdEncoding.DecodeString(strings.Join(strings.Fields(string(enc)), "")); err != nil {
			return "", fmt.Errorf("%w: signature: %v", ErrPECSignature, err)
		}
	}
	p7, err := pkcs7.Parse(der)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrPECSignature, err)
	}
	signer, err := signerPolicy(p7)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrPECSignature, err)
	}
	// The signature covers the canonical form (CRLF); a copy stored with bare LF is tried as such.
	for _, c := range [][]byte{content, canonicalCRLF(content)} {
		p7.Content = c
		if err = p7.VerifyWithChainAtTime(roots, at); err == nil {
			break
		}
	}
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrPECSignature, err)
	}
	when := []time.Time{at}
	var signed time.Time
	if p7.UnmarshalSignedAttribute(pkcs7.OIDAttributeSigningTime, &signed) == nil {
		when = append(when, signed)
	}
	for _, t := range when {
		if err := chainPolicy(signer, p7.Certificates, roots, t); err != nil {
			return "", fmt.Errorf("%w: %v", ErrPECSignature, err)
		}
	}
	return signer.Subject.String(), nil
}

// signerPolicy returns the one signer's certificate if its digest, signature algorithm and key
// are of those allowed.
func signerPolicy(p7 *pkcs7.PKCS7) (*x509.Certificate, error) {
	if len(p7.Signers) != 1 {
		return nil, fmt.Errorf("%d signers, want one", len(p7.Signers))
	}
	s := p7.Signers[0]
	d := s.DigestAlgorithm.Algorithm
	if !d.Equal(pkcs7.OIDDigestAlgorithmSHA256) && !d.Equal(pkcs7.OIDDigestAlgorithmSHA384) && !d.Equal(pkcs7.OIDDigestAlgorithmSHA512) {
		return nil, fmt.Errorf("digest algorithm %s not allowed (SHA-256, SHA-384, SHA-512)", d)
	}
	switch e := s.DigestEncryptionAlgorithm.Algorithm; {
	case e.Equal(pkcs7.OIDEncryptionAlgorithmRSA), e.Equal(pkcs7.OIDEncryptionAlgorithmRSASHA256),
		e.Equal(pkcs7.OIDEncryptionAlgorithmRSASHA384), e.Equal(pkcs7.OIDEncryptionAlgorithmRSASHA512),
		e.Equal(pkcs7.OIDDigestAlgorithmECDSASHA256), e.Equal(pkcs7.OIDDigestAlgorithmECDSASHA384),
		e.Equal(pkcs7.OIDDigestAlgorithmECDSASHA512), e.Equal(pkcs7.OIDEncryptionAlgorithmECDSAP256),
		e.Equal(pkcs7.OIDEncryptionAlgorithmECDSAP384), e.Equal(pkcs7.OIDEncryptionAlgorithmECDSAP521):
	default:
		return nil, fmt.Errorf("signature algorithm %s not allowed", e)
	}
	c := p7.GetOnlySigner()
	if c == nil {
		return nil, errors.New("no certificate for the signer")
	}
	if err := strongKey(c); err != nil {
		return nil, fmt.Errorf("signer %s: %v", c.Subject, err)
	}
	return c, nil
}

// chainPolicy checks that signer chains at t, for e-mail protection, to roots through
// certificates that are all of strong keys and signed with neither MD5 nor SHA-1 (the anchor's
// own signature aside: the index vouches for it).
func chainPolicy(signer *x509.Certificate, certs []*x509.Certificate, roots *x509.CertPool, t time.Time) error {
	inter := x509.NewCertPool()
	for _, c := range certs {
		inter.AddCert(c)
	}
	chains, err := signer.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, CurrentTime: t,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection}})
	if err != nil {
		return fmt.Errorf("certificate chain at %s: %v", t.UTC().Format(time.RFC3339), err)
	}
	var why error
	for _, chain := range chains {
		if why = chainStrong(chain); why == nil {
			return nil
		}
	}
	return why
}

func chainStrong(chain []*x509.Certificate) error {
	for i, c := range chain {
		if err := strongKey(c); err != nil {
			return fmt.Errorf("certificate %s: %v", c.Subject, err)
		}
		if i == len(chain)-1 {
			break // the anchor
		}
		switch c.SignatureAlgorithm {
		case x509.MD2WithRSA, x509.MD5WithRSA, x509.SHA1WithRSA, x509.DSAWithSHA1, x509.DSAWithSHA256, x509.ECDSAWithSHA1:
			return fmt.Errorf("certificate %s signed with %s", c.Subject, c.SignatureAlgorithm)
		}
	}
	return nil
}

// strongKey refuses RSA keys under minRSABits and keys of other kinds than RSA and ECDSA on
// the NIST curves.
func strongKey(c *x509.Certificate) error {
	switch k := c.PublicKey.(type) {
	case *rsa.PublicKey:
		if k.N.BitLen() < minRSABits {
			return fmt.Errorf("RSA key of %d bits (at least %d)", k.N.BitLen(), minRSABits)
		}
	case *ecdsa.PublicKey:
		switch k.Curve {
		case elliptic.P256(), elliptic.P384(), elliptic.P521():
		default:
			return errors.New("ECDSA curve not allowed")
		}
	default:
		return fmt.Errorf("key of type %T not allowed", c.PublicKey)
	}
	return nil
}

// signedParts splits the body of a multipart/signed message into the bytes of its first part
// (what is signed: from after the first delimiter line to before the CRLF that precedes the
// next one) and the whole of its second part.
func signedParts(body []byte, boundary string) (content, sig []byte, ok bool) {
	delim := []byte("--" + boundary)
	var starts, ends []int // start of each part's content, start of each delimiter's line break
	for i := 0; ; {
		j := bytes.Index(body[i:], delim)
		if j < 0 {
			break
		}
		at := i + j
		if at == 0 || body[at-1] == '\n' {
			end := at
			if end > 0 && body[end-1] == '\n' {
				end--
				if end > 0 && body[end-1] == '\r' {
					end--
				}
			}
			ends = append(ends, end)
			nl := bytes.IndexByte(body[at:], '\n')
			if nl < 0 {
				break
			}
			starts = append(starts, at+nl+1)
			i = at + nl + 1
			continue
		}
		i = at + len(delim)
	}
	if len(starts) < 3 {
		return nil, nil, false
	}
	return body[starts[0]:ends[1]], body[starts[1]:ends[2]], true
}

// canonicalCRLF turns bare LF line ends into CRLF.
func canonicalCRLF(b []byte) []byte {
	return bytes.ReplaceAll(bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n")), []byte("\n"), []byte("\r\n"))
}
