package parsers

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/md5"
	"crypto/rc4"
	"encoding/binary"
	"errors"
	"fmt"
)

// Encrypted PDFs that open without a password (PDF 32000-1, 7.6.3: the standard security
// handler, revisions 2 to 4, RC4 or AES-128): a form protected against editing is still read.
// What ledongthuc/pdf opened opens, and also version 4 with an RC4 crypt filter or one whose
// length is written in bits, which it refused; a file that needs a user password is refused.

// pdfPadding pads a password (PDF 32000-1, 7.6.3.3, Algorithm 2 step a).
var pdfPadding = []byte{
	0x28, 0xBF, 0x4E, 0x5E, 0x4E, 0x75, 0x8A, 0x41, 0x64, 0x00, 0x4E, 0x56, 0xFF, 0xFA, 0x01, 0x08,
	0x2E, 0x2E, 0x00, 0xB6, 0xD0, 0x68, 0x3E, 0x80, 0x2F, 0x0C, 0xA9, 0xFE, 0x64, 0x53, 0x69, 0x7A,
}

// errPDFPassword is a file whose empty user password does not open it.
var errPDFPassword = errors.New("encrypted PDF: invalid password")

type pdfCrypt struct {
	key []byte
	aes bool
}

// initCrypt derives the file key from the empty user password (Algorithm 2) and checks it
// against /U (Algorithms 4 and 5).
func (d *pdfDoc) initCrypt() error {
	enc := d.resolve(d.trailer.get("Encrypt"))
	if enc.Key("Filter").Name() != "Standard" {
		return fmt.Errorf("unsupported PDF: encryption filter %v", enc.Key("Filter"))
	}
	bits := enc.Key("Length").Int64()
	if bits == 0 {
		bits = 40
	}
	if bits%8 != 0 || bits < 40 || bits > 128 {
		return fmt.Errorf("malformed PDF: %d-bit encryption key", bits)
	}
	v := enc.Key("V").Int64()
	useAES := false
	switch v {
	case 1, 2:
	case 4:
		var ok bool
		if useAES, ok = pdfCryptFilter(enc); !ok {
			return fmt.Errorf("unsupported PDF: encryption version V=4 with these crypt filters")
		}
	default:
		return fmt.Errorf("unsupported PDF: encryption version V=%d", v)
	}
	id := d.trailerValue().Key("ID")
	if id.Kind() != pkArray || id.Index(0).Kind() != pkString {
		return fmt.Errorf("malformed PDF: missing ID in trailer")
	}
	r := enc.Key("R").Int64()
	if r < 2 || r > 4 {
		return fmt.Errorf("unsupported PDF: encryption revision R=%d", r)
	}
	o, u := enc.Key("O").RawString(), enc.Key("U").RawString()
	if len(o) != 32 || len(u) != 32 {
		return fmt.Errorf("malformed PDF: missing O= or U= encryption parameters")
	}
	h := md5.New()
	h.Write(pdfPadding)
	h.Write([]byte(o))
	_ = binary.Write(h, binary.LittleEndian, uint32(enc.Key("P").Int64()))
	h.Write([]byte(id.Index(0).RawString()))
	key := h.Sum(nil)
	n := int(bits / 8)
	if r >= 3 {
		for range 50 {
			sum := md5.Sum(key[:n])
			key = sum[:]
		}
		key = key[:n]
	} else {
		key = key[:5]
	}
	var check []byte
	if r == 2 {
		check = bytes.Clone(pdfPadding)
		c, _ := rc4.NewCipher(key)
		c.XORKeyStream(check, check)
	} else {
		sum := md5.Sum(append(bytes.Clone(pdfPadding), id.Index(0).RawString()...))
		check = sum[:]
		k := make([]byte, len(key))
		for i := range 20 {
			for j := range key {
				k[j] = key[j] ^ byte(i)
			}
			c, _ := rc4.NewCipher(k)
			c.XORKeyStream(check, check)
		}
	}
	if !bytes.HasPrefix([]byte(u), check) {
		return errPDFPassword
	}
	d.crypt = &pdfCrypt{key: key, aes: useAES}
	return nil
}

// pdfCryptFilter tells the version 4 handlers read (PDF 32000-1, 7.6.5): one crypt filter for
// strings and streams alike, AES-128 (AESV2) or RC4 (V2), opened with the document.
func pdfCryptFilter(enc pdfValue) (useAES, ok bool) {
	stm, str := enc.Key("StmF").Name(), enc.Key("StrF").Name()
	if stm == "" || stm != str {
		return false, false
	}
	cf := enc.Key("CF").Key(stm)
	if cf.Kind() != pkDict {
		return false, false
	}
	if ae := cf.Key("AuthEvent"); !ae.IsNull() && ae.Name() != "DocOpen" {
		return false, false
	}
	switch cf.Key("CFM").Name() {
	case "AESV2":
		// The key's length in bytes, as the standard says, or in bits, as some producers write.
		l := cf.Key("Length")
		return true, l.IsNull() || l.Int64() == 16 || l.Int64() == 128
	case "V2":
		return false, true
	}
	return false, false
}

// objectKey is the key of one object's strings and streams (Algorithm 1).
func (c *pdfCrypt) objectKey(ref pdfRef) []byte {
	h := md5.New()
	h.Write(c.key)
	h.Write([]byte{byte(ref.num), byte(ref.num >> 8), byte(ref.num >> 16), byte(ref.gen), byte(ref.gen >> 8)})
	if c.aes {
		h.Write([]byte("sAlT"))
	}
	return h.Sum(nil)[:min(len(c.key)+5, 16)]
}

// decrypt returns the plain bytes of an object's string or stream; a damaged one (AES
// shorter than a block) panics, as in the library.
func (c *pdfCrypt) decrypt(ref pdfRef, data []byte) []byte {
	key := c.objectKey(ref)
	out := bytes.Clone(data)
	if !c.aes {
		r, _ := rc4.NewCipher(key)
		r.XORKeyStream(out, out)
		return out
	}
	if len(out) < 2*aes.BlockSize || len(out)%aes.BlockSize != 0 {
		panic(fmt.Errorf("pdf: an encrypted string or stream of %d bytes", len(out)))
	}
	b, _ := aes.NewCipher(key)
	body := out[aes.BlockSize:]
	cipher.NewCBCDecrypter(b, out[:aes.BlockSize]).CryptBlocks(body, body)
	if p := int(body[len(body)-1]); p >= 1 && p <= aes.BlockSize {
		body = body[:len(body)-p] // PKCS#5 padding
	}
	return body
}

func (c *pdfCrypt) decryptString(ref pdfRef, s string) string {
	return string(c.decrypt(ref, []byte(s)))
}
