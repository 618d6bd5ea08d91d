package mailbot

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"net/textproto"
	"strings"
	"testing"
	"time"
)

// TestHostileHeadersInReplies: whatever a sender's header holds (a CR LF and a Bcc inside an
// encoded word, thousands of encoded words, unknown or broken charsets, one line of 200 KB,
// a display name spelling a header), every mail mailbot writes in answer, to the sender and to
// staff, has well-formed headers: no header of the sender's making, no line over 998 bytes,
// a Subject of bounded length, and only our own recipients.
func TestHostileHeadersInReplies(t *testing.T) {
	b64 := func(s string) string { return "=?UTF-8?B?" + base64.StdEncoding.EncodeToString([]byte(s)) + "?=" }
	injected := "Richiesta integrazione\r\nBcc: victim@evil.example\r\nX-Injected: yes"
	cases := []struct{ name, from, subject string }{
		{"CR LF and Bcc in an encoded Subject", "mario.rossi@comune.venezia.it", b64(injected)},
		{"CR LF and Bcc in an encoded display name", b64("Mario\r\nBcc: victim@evil.example") + " <mario.rossi@comune.venezia.it>", "Richiesta integrazione MyPay"},
		{"thousands of encoded words", "mario.rossi@comune.venezia.it", strings.Repeat(b64("Richiesta ")+" ", 5000)},
		{"unknown charset", "mario.rossi@comune.venezia.it", "=?x-klingon?B?" + base64.StdEncoding.EncodeToString([]byte("\xff\xfe\r\nBcc: v@evil.example")) + "?= integrazione"},
		{"broken ISO-2022-JP", "mario.rossi@comune.venezia.it", "=?ISO-2022-JP?B?" + base64.StdEncoding.EncodeToString([]byte("\x1b$B\x1b(\r\nBcc: v@evil.example")) + "?="},
		{"one line of 200 KB", "mario.rossi@comune.venezia.it", "Richiesta " + strings.Repeat("x", 200<<10)},
		{"Q-encoded CR LF", "mario.rossi@comune.venezia.it", "=?UTF-8?Q?Richiesta=0D=0ABcc:_victim@evil.example?="},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := newCaseBench(t)
			b.process(mimeMail(c.from, CallCenter, c.subject, fmt.Sprintf("h%d@comune.venezia.it", time.Now().UnixNano()),
				"Chiediamo l'integrazione, in allegato i moduli.", nil, map[string][]byte{
					"informativa.docx": fixture(t, "informativa_generale_venezia.docx")}))
			list, err := b.store.DueMail(context.Background(), b.clock.now().Add(time.Hour), 100)
			if err != nil {
				t.Fatal(err)
			}
			if len(list) == 0 {
				t.Fatal("nothing answered")
			}
			for _, m := range list {
				checkHeaders(t, m.Kind, m.Raw)
				for _, r := range m.Rcpts {
					if strings.Contains(r, "evil") {
						t.Errorf("%s sent to %s", m.Kind, r)
					}
				}
			}
		})
	}
}

// checkHeaders fails t if raw's header holds a line over 998 bytes, a Bcc or a header of the
// sender's naming, or a Subject over 300 bytes once unfolded.
func checkHeaders(t *testing.T, kind string, raw []byte) {
	t.Helper()
	head, _, _ := bytes.Cut(raw, []byte("\r\n\r\n"))
	for _, l := range bytes.Split(head, []byte("\r\n")) {
		if len(l) > 998 {
			t.Errorf("%s: header line of %d bytes", kind, len(l))
		}
	}
	h, err := textproto.NewReader(bufio.NewReader(bytes.NewReader(append(head, "\r\n\r\n"...)))).ReadMIMEHeader()
	if err != nil {
		t.Fatalf("%s: header does not parse: %v", kind, err)
	}
	for _, k := range []string{"Bcc", "X-Injected", "Cc"} {
		if h.Get(k) != "" {
			t.Errorf("%s: header %s: %q", kind, k, h.Get(k))
		}
	}
	if s := h.Get("Subject"); len(s) > 300 {
		t.Errorf("%s: Subject of %d bytes", kind, len(s))
	}
}
