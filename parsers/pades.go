package parsers

import (
	"bytes"
	"crypto"
	"crypto/subtle"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"regexp"
	"strconv"

	_ "crypto/sha1" // digests a signature may name
	_ "crypto/sha256"
	_ "crypto/sha512"

	"github.com/smallstep/pkcs7"
)

// A PAdES-signed PDF carries its signature inside: a signature dictionary whose /Contents is a
// CMS SignedData without content (SubFilter ETSI.CAdES.detached or adbe.pkcs7.detached) over the
// bytes /ByteRange names, which are the whole file but the /Contents string itself
// (ISO 32000-1 12.8.1, ETSI EN 319 142-1). The PDF is read like any other; its signers are kept
// like a .p7m's.

// Bounds on what a PDF may make us decode: a signature is a few kilobytes; a document signed by
// more than a handful of people is not a form.
const (
	maxPDFSignatures    = 8
	maxPDFSignatureSize = 1 << 20 // hex digits of one /Contents
	padesWindow         = 4096    // bytes around /ByteRange searched for its /SubFilter
)

var (
	byteRangeRE = regexp.MustCompile(`/ByteRange\s*\[\s*(\d{1,12})\s+(\d{1,12})\s+(\d{1,12})\s+(\d{1,12})\s*\]`)
	subFilterRE = regexp.MustCompile(`/SubFilter\s*/(ETSI\.CAdES\.detached|adbe\.pkcs7\.detached)\b`)
)

// pdfSigners returns the signers of the signatures embedded in a PDF whose signed bytes match
// their digest. A signature that does not cover its byte range (the file was changed inside
// what was signed) names no signer; one over an earlier revision of the file (an incremental
// update after signing) names its signer with Partial set.
func pdfSigners(file string, data []byte) []Signer {
	var out []Signer
	for _, m := range byteRangeRE.FindAllSubmatchIndex(data, maxPDFSignatures) {
		var r [4]int
		ok := true
		for i := range r {
			n, err := strconv.Atoi(string(data[m[2+2*i]:m[3+2*i]]))
			ok = ok && err == nil
			r[i] = n
		}
		signed, sig, ok2 := byteRange(data, r)
		if !ok || !ok2 || !subFilterRE.Match(data[max(0, m[0]-padesWindow):min(len(data), m[1]+padesWindow)]) {
			continue
		}
		ss, err := signersOver(sig, signed)
		if err != nil {
			continue
		}
		for i := range ss {
			ss[i].File = file
			ss[i].Partial = r[2]+r[3] < len(bytes.TrimRight(data, "\r\n\x00 "))
		}
		out = append(out, ss...)
	}
	return out
}

// byteRange checks that a /ByteRange [a b c d] is a signature's: it starts the file, leaves out
// exactly one hex string (the /Contents) and ends within it. It returns the bytes signed and
// the decoded signature.
func byteRange(data []byte, r [4]int) (signed, sig []byte, ok bool) {
	a, b, c, d := r[0], r[1], r[2], r[3]
	if a != 0 || b <= 0 || c <= b || d < 0 || c+d > len(data) || c-b-2 > maxPDFSignatureSize {
		return nil, nil, false
	}
	hole := data[b:c]
	if len(hole) < 2 || hole[0] != '<' || hole[len(hole)-1] != '>' {
		return nil, nil, false
	}
	digits := bytes.Map(func(r rune) rune {
		if isPDFSpace(byte(r)) {
			return -1
		}
		return r
	}, hole[1:len(hole)-1])
	if len(digits)%2 == 1 {
		digits = append(digits, '0')
	}
	sig = make([]byte, hex.DecodedLen(len(digits)))
	if _, err := hex.Decode(sig, digits); err != nil {
		return nil, nil, false
	}
	// The string is padded with zeros to the room reserved for it: the DER says its own length.
	var raw asn1.RawValue
	if rest, err := asn1.Unmarshal(sig, &raw); err == nil {
		sig = sig[:len(sig)-len(rest)]
	}
	signed = make([]byte, 0, b+d)
	signed = append(append(signed, data[:b]...), data[c:c+d]...)
	return signed, sig, true
}

// signersOver opens a detached CMS signature and returns its signers if it covers content:
// the messageDigest it signed is content's digest (or, without signed attributes, the
// signature itself verifies over content). The certificate is not checked against any trust
// list (see Signer).
func signersOver(sig, content []byte) (signers []Signer, err error) {
	defer func() {
		if r := recover(); r != nil {
			signers, err = nil, errors.New("parse CMS: panic")
		}
	}()
	p7, err := pkcs7.Parse(sig)
	if err != nil {
		return nil, err
	}
	p7.Content = content
	if len(p7.Signers) == 0 {
		return nil, errors.New("no signer")
	}
	for _, si := range p7.Signers {
		if len(si.AuthenticatedAttributes) == 0 {
			if err := p7.Verify(); err != nil {
				return nil, err
			}
			continue
		}
		var digest []byte
		for _, a := range si.AuthenticatedAttributes {
			if a.Type.Equal(pkcs7.OIDAttributeMessageDigest) {
				if _, err := asn1.Unmarshal(a.Value.Bytes, &digest); err != nil {
					return nil, err
				}
			}
		}
		h, ok := digestOf(si.DigestAlgorithm.Algorithm)
		if !ok {
			return nil, errors.New("unknown digest")
		}
		sum := h.New()
		sum.Write(content)
		if subtle.ConstantTimeCompare(sum.Sum(nil), digest) != 1 {
			return nil, errors.New("the signature does not cover the byte range")
		}
	}
	if c := p7.GetOnlySigner(); c != nil {
		return []Signer{signerOf(c)}, nil
	}
	for _, c := range p7.Certificates {
		if !c.IsCA {
			signers = append(signers, signerOf(c))
		}
	}
	return signers, nil
}

func digestOf(oid asn1.ObjectIdentifier) (crypto.Hash, bool) {
	for h, o := range map[crypto.Hash]asn1.ObjectIdentifier{
		crypto.SHA1:   pkcs7.OIDDigestAlgorithmSHA1,
		crypto.SHA256: pkcs7.OIDDigestAlgorithmSHA256,
		crypto.SHA384: pkcs7.OIDDigestAlgorithmSHA384,
		crypto.SHA512: pkcs7.OIDDigestAlgorithmSHA512,
	} {
		if oid.Equal(o) {
			return h, true
		}
	}
	return 0, false
}
