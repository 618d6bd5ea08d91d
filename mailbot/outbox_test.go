package mailbot

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"mailbot/ticketing"
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

// TestPipelineLeavesRefusedTransaction: a server that takes commands in a pipeline refuses the
// recipient, yet answers DATA with 354 as if the mail could follow. The sender reports the
// refusal and hangs up at once: nothing it sends could end the data and deliver an empty mail.
func TestPipelineLeavesRefusedTransaction(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	got := make(chan string, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			got <- err.Error()
			return
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(20 * time.Second))
		fmt.Fprint(c, "220 x ESMTP\r\n")
		tp := textproto.NewReader(bufio.NewReader(c))
		var after []string // what came once DATA was answered
		data := false
		for {
			l, err := tp.ReadLine()
			if err != nil {
				got <- strings.Join(after, "|")
				return
			}
			switch cmd := strings.ToUpper(l); {
			case data:
				after = append(after, l)
			case strings.HasPrefix(cmd, "EHLO"):
				fmt.Fprint(c, "250-x\r\n250 PIPELINING\r\n")
			case strings.HasPrefix(cmd, "RCPT"):
				fmt.Fprint(c, "550 5.1.1 no such user\r\n")
			case cmd == "DATA":
				fmt.Fprint(c, "354 go ahead\r\n")
				data = true
			default:
				fmt.Fprint(c, "250 ok\r\n")
			}
		}
	}()
	cfg := &Config{SMTP: SMTPConfig{Addr: ln.Addr().String(), TLS: "none"}}
	cfg.SMTP.Timeout.Duration = 10 * time.Second
	s := &Sender{cfg: cfg}
	client, sc, err := s.dial(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	err = transmit(sc, &ticketing.OutMail{From: CallCenter, Rcpts: []string{"nobody@comune.example.it"},
		Raw: []byte("Subject: x\r\n\r\nx\r\n")}, cfg.SMTP.Timeout.Duration)
	if !permanent(err) || !strings.Contains(err.Error(), "RCPT TO") {
		t.Errorf("transmit: %v, want the recipient's refusal", err)
	}
	client.CloseWithSMTPClient(sc)
	if after := <-got; after != "" {
		t.Errorf("after refusing the recipient and answering DATA, the server got %q, want nothing", after)
	}
}
