package mailbot

import (
	"bufio"
	"bytes"
	"net/textproto"
	"testing"
)

// dataSamples are mails as the outbox may hold them: rendered (CRLF lines, dots leading some
// lines of quoted-printable text) or not quite (bare CR or LF, no final line end).
var dataSamples = []string{
	"",
	"Subject: x\r\n\r\nbody\r\n",
	".\r\n",
	".leading dot\r\n..two\r\nmiddle . dot\r\n.\r\n.last\r\n",
	"Subject: x\r\n\r\nno final line end",
	"Subject: x\r\n\r\n.no final line end, dotted",
	"bare\nLF\n.dotted\n",
	"bare\rCR\r\n.x\r\n",
	"double\r\r\nCR\r\n",
	"\r\n\r\n.\r\n\r\n",
	"=2E\r\n.=\r\n..\r\n",
}

// TestWriteDataAsDotWriter: what the sender writes after DATA is, byte for byte, what
// textproto's DotWriter would write: a mail reaches the server unchanged, dots unstuffed.
func TestWriteDataAsDotWriter(t *testing.T) {
	for _, s := range dataSamples {
		if got, want := viaWriteData([]byte(s)), viaDotWriter([]byte(s)); got != want {
			t.Errorf("%q: wrote %q, want %q", s, got, want)
		}
	}
}

func FuzzWriteData(f *testing.F) {
	for _, s := range dataSamples {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		if got, want := viaWriteData(raw), viaDotWriter(raw); got != want {
			t.Errorf("%q: wrote %q, want %q", raw, got, want)
		}
	})
}

func viaWriteData(raw []byte) string {
	var out bytes.Buffer
	w := textproto.NewWriter(bufio.NewWriterSize(&out, 16)) // small: writes cross its flushes
	dw := w.DotWriter()
	if err := writeData(w.W, dw, raw); err != nil {
		return err.Error()
	}
	dw.Close()
	return out.String()
}

func viaDotWriter(raw []byte) string {
	var out bytes.Buffer
	dw := textproto.NewWriter(bufio.NewWriter(&out)).DotWriter()
	dw.Write(raw)
	dw.Close()
	return out.String()
}
