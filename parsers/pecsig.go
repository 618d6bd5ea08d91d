package parsers

import (
	"bufio"
	"bytes"
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

// VerifyPECEnvelope checks the provider's signature of a raw PEC envelope: a multipart/signed
// message whose second part, a PKCS#7 detached signature, verifies over the exact bytes of the
// first part (rfc/1847:185) and whose signer chains, at the instant at, to roots (the providers'
// certificates of the index). It returns the signer's subject.
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
	// The signature covers the canonical form (CRLF); a copy stored with bare LF is tried as such.
	for _, c := range [][]byte{content, canonicalCRLF(content)} {
		p7.Content = c
		if err = p7.VerifyWithChainAtTime(roots, at); err == nil {
			return p7.GetOnlySigner().Subject.String(), nil
		}
	}
	return "", fmt.Errorf("%w: %v", ErrPECSignature, err)
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
