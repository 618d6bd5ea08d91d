package parsers

import (
	"bytes"
	"encoding/base64"
	"io"
	"testing"
)

// The body's fast paths against the plain code they replace.

// logoSizedRef is how embeddedImage told a logo before: the body decoded as go-message decodes
// it (spaces and tabs as line ends), a logo when that fails or gives at most maxLogoBytes.
func logoSizedRef(enc []byte) bool {
	ws := bytes.Map(func(r rune) rune {
		if r == ' ' || r == '\t' {
			return '\n'
		}
		return r
	}, enc)
	data, err := io.ReadAll(io.LimitReader(base64.NewDecoder(base64.StdEncoding, bytes.NewReader(ws)), maxLogoBytes+1))
	return err != nil || len(data) <= maxLogoBytes
}

// FuzzLogoSized builds bodies around the size bound from a line repeated: logoSized may only
// call a logo what decoding would.
func FuzzLogoSized(f *testing.F) {
	line := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte("logo!"), 57/5)) + "\r\n"
	f.Add([]byte(line), uint16(1100), []byte("=="))
	f.Add([]byte(line), uint16(1150), []byte(""))
	f.Add([]byte("QUJD\t"), uint16(21845), []byte("QQ"))
	f.Add([]byte("QUJDRA=="), uint16(10923), []byte(""))
	f.Add([]byte("\x00\xff"), uint16(40000), []byte("A"))
	f.Fuzz(func(t *testing.T, unit []byte, n uint16, tail []byte) {
		if len(unit) == 0 {
			return
		}
		enc := append(bytes.Repeat(unit, int(n)), tail...)
		if len(enc) >= 2*maxLogoBytes {
			enc = enc[:2*maxLogoBytes-1] // what readUpTo hands over whole
		}
		if logoSized(enc) && !logoSizedRef(enc) {
			t.Fatalf("logoSized(%d bytes of %q...) = true, decoding gives a picture over %d bytes", len(enc), unit, maxLogoBytes)
		}
	})
}
