package parsers

import (
	"bufio"
	"bytes"
	"strings"
	"testing"
)

// TestAutoReason is the one table for "is this mail automatic?": the daemon's envelope and
// Analyze must agree on every row (they once had a rule each, which drifted apart).
func TestAutoReason(t *testing.T) {
	cases := []struct {
		name   string
		header string
		want   string // substring of the reason; "" for a person's mail
	}{
		{"person", "From: Mario Rossi <mario.rossi@comune.venezia.it>", ""},
		{"auto-submitted", "From: a@b.it\r\nAuto-Submitted: auto-replied", "Auto-Submitted: auto-replied"},
		{"auto-submitted with parameters", "From: a@b.it\r\nAuto-Submitted: auto-replied; owner-email=\"x@y.it\"", "Auto-Submitted: auto-replied"},
		{"auto-submitted no with parameters", "From: a@b.it\r\nAuto-Submitted: no; comment=x", ""},
		{"auto-submitted NO", "From: a@b.it\r\nAuto-Submitted: No", ""},
		{"precedence bulk", "From: a@b.it\r\nPrecedence: bulk", "Precedence: bulk"},
		{"precedence with comment", "From: a@b.it\r\nPrecedence: junk; x", "Precedence: junk"},
		{"precedence first-class", "From: a@b.it\r\nPrecedence: first-class", ""},
		{"list-id", "From: a@b.it\r\nList-Id: <x.lists.example>", "List-Id present"},
		{"list-unsubscribe", "From: a@b.it\r\nList-Unsubscribe: <mailto:u@x>", "List-Unsubscribe present"},
		{"exchange suppression", "From: a@b.it\r\nX-Auto-Response-Suppress: All", "X-Auto-Response-Suppress present"},
		{"x-autoreply", "From: a@b.it\r\nX-Autoreply: yes", "X-Autoreply present"},
		{"empty return-path", "Return-Path: <>\r\nFrom: a@b.it", "empty Return-Path"},
		{"empty return-path with space", "Return-Path: < >\r\nFrom: a@b.it", "empty Return-Path"},
		{"return-path set", "Return-Path: <a@b.it>\r\nFrom: a@b.it", ""},
		{"mailer-daemon", "From: MAILER-DAEMON@mx.example.it", "sender mailer-daemon@mx.example.it"},
		{"postmaster", "From: Postmaster <postmaster@b.it>", "sender postmaster@b.it"},
		{"noreply", "From: noreply@b.it", "sender noreply@b.it"},
		{"no-reply", "From: no-reply@b.it", "sender no-reply@b.it"},
		{"no_reply", "From: no_reply@b.it", "sender no_reply@b.it"},
		{"no.reply", "From: No.Reply@b.it", "sender no.reply@b.it"},
		{"do-not-reply", "From: do-not-reply@b.it", "sender do-not-reply@b.it"},
		{"empty from", "From: ", "no sender address"},
		{"no from", "Subject: x", "no sender address"},
		{"multipart/report", "From: a@b.it\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=x", "multipart/report"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			raw := c.header + "\r\nMessage-ID: <x@y>\r\n\r\n--x--\r\n"
			env, err := ReadEnvelope(strings.NewReader(raw))
			if err != nil {
				t.Fatal(err)
			}
			an, err := Analyze(strings.NewReader(raw), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			h, err := readHeader(bufio.NewReader(strings.NewReader(raw)))
			if err != nil {
				t.Fatal(err)
			}
			for who, got := range map[string]string{"autoReason": autoReason(h, fromAddress(h)), "Envelope": env.AutoReason, "Analyze": an.AutoReason} {
				if (c.want == "") != (got == "") || !strings.Contains(got, c.want) {
					t.Errorf("%s = %q, want %q", who, got, c.want)
				}
			}
			if an.Auto != (c.want != "") {
				t.Errorf("Analyze Auto = %v", an.Auto)
			}
		})
	}
}

// TestEnvelopeHeaderCap: the daemon's envelope reader stops at the same header cap as Analyze
// (and inspect); a 32 MiB header once took 2 GB of memory.
func TestEnvelopeHeaderCap(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("From: a@b.it\r\nSubject: x\r\n")
	line := "X-Filler: " + strings.Repeat("a", 1000) + "\r\n"
	for b.Len() <= 2*maxHeaderBytes {
		b.WriteString(line)
	}
	b.WriteString("\r\nbody\r\n")
	raw := b.Bytes()
	_, errEnv := ReadEnvelope(bytes.NewReader(raw))
	_, errAn := Analyze(bytes.NewReader(raw), Limits{})
	for who, err := range map[string]error{"ReadEnvelope": errEnv, "Analyze": errAn} {
		if err == nil || !strings.Contains(err.Error(), "header over") {
			t.Errorf("%s on a %d-byte header: err = %v, want the header cap", who, len(raw), err)
		}
	}
}

// TestEnvelopeFromMalformed: a From the address parser refuses keeps what looks like one
// address, never a quote, parenthesis or backslash inside it.
func TestEnvelopeFromMalformed(t *testing.T) {
	cases := []struct{ from, want string }{
		{`"broken@evil.example`, "broken@evil.example"},
		{`x@y)`, "x@y"},
		{`a"b@evil.example`, "b@evil.example"},
		{`broken@evil.example\`, "broken@evil.example"},
		{`Mario <mario@x.it`, "mario@x.it"},
	}
	for _, c := range cases {
		raw := "From: " + c.from + "\r\nSubject: x\r\n\r\nbody\r\n"
		env, err := ReadEnvelope(strings.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		an, err := Analyze(strings.NewReader(raw), Limits{})
		if err != nil {
			t.Fatal(err)
		}
		if env.From != c.want || an.From != c.want {
			t.Errorf("From: %s -> envelope %q, analysis %q, want %q", c.from, env.From, an.From, c.want)
		}
	}
}

// FuzzEnvelope: the daemon's envelope and Analyze read any bytes without panicking and, for a
// message that is not PEC, agree on the sender and on whether it is automatic.
func FuzzEnvelope(f *testing.F) {
	for _, s := range []string{
		"From: Mario <m@x.it>\r\nSubject: x\r\n\r\nbody",
		"From: \"broken@evil.example\r\nAuto-Submitted: no; x\r\n\r\n",
		"From: \"broken@evil.example\"@host\r\nPrecedence: bulk\r\n\r\n",
		"Return-Path: < >\r\nFrom: no_reply@x.it\r\nContent-Type: multipart/report; boundary=b\r\n\r\n--b--\r\n",
		"garbage\r\nFrom x@y)\r\n\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		env, errEnv := ReadEnvelope(bytes.NewReader(raw))
		an, errAn := Analyze(bytes.NewReader(raw), Limits{})
		if errEnv != nil || errAn != nil || env == nil || an == nil || an.PEC != nil || an.Receipt != "" {
			return
		}
		h, err := readHeader(bufio.NewReader(bytes.NewReader(raw)))
		if err != nil || h.Has("X-Trasporto") || h.Has("X-Ricevuta") {
			return
		}
		if env.From != an.From || env.AutoReason != an.AutoReason {
			t.Errorf("envelope (%q, %q) and Analyze (%q, %q) disagree", env.From, env.AutoReason, an.From, an.AutoReason)
		}
	})
}
