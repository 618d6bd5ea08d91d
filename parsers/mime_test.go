package parsers

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// mimeCase is what Analyze must understand of one fixture of testdata/mail. Empty fields are not
// checked, except Missing, IPs and the Rejected/Unreadable counts, which are always compared.
type mimeCase struct {
	messageID, from, subject string
	auto                     bool
	autoReason               string // substring
	pec                      *PEC
	receipt, receiptFor      string
	text                     string   // exact fresh text, when set
	textHas, textLacks       []string // substrings of the fresh text
	forms                    []string // "type@source", in order
	ips                      []string
	missing                  []string
	signers                  []Signer
	rejected                 []string // parts
	unreadable               []string // parts
	problem                  string   // substring of a problem message on the body form
}

var mimeFixtures = map[string]mimeCase{
	// A request written in the body: RFC 2047 subject, mixed-case address, quoted-printable soft
	// breaks, a signature after "-- " (encoded "--=20"), a public IP list, a private IP (a problem,
	// not an address), a version number and a time that only look like addresses.
	"plain-request.eml": {
		messageID: "20261126101500.1234@comune.esempio.it",
		from:      "mario.rossi@comune.esempio.it",
		subject:   "Richiesta di integrazione MyPay – Comune di Esempio",
		textHas:   []string{"MyPivot.", "Cordiali saluti\nMario Rossi"},
		textLacks: []string{"Ufficio Ragioneria", "Tel."},
		forms:     []string{"qualificazione_ente_prodotto@corpo del messaggio"},
		ips:       []string{"203.0.113.10", "198.51.100.0/28"},
		missing:   []string{FormInformativaGenerale},
		problem:   `"192.168.1.10"`,
	},
	// HTML only, Outlook style sheet, a Word table: two-cell rows read as "label: value".
	"html-only.eml": {
		from:      "tributi@comune.esempio.it",
		textHas:   []string{"l'attivazione", "Denominazione ente: Comune di Esempio", "IP chiamanti in esercizio: 203.0.113.20"},
		textLacks: []string{"MsoNormal", "<"},
		forms:     []string{"qualificazione_ente_prodotto@corpo del messaggio"},
		ips:       []string{"203.0.113.20"},
		missing:   []string{FormInformativaGenerale},
	},
	// 8-bit windows-1252 body with €, curly quotes and en dash; subject in windows-1252 words.
	"windows-1252.eml": {
		subject: "Richiesta attivazione – Città",
		textHas: []string{"perché il Comune di Città di Castello è già aderente", "10 € – “così”", "l’ufficio"},
		missing: StepOneForms,
	},
	// ISO-8859-15 quoted-printable: 0xA4 is € here (¤ in Latin-1).
	"iso-8859-15.eml": {
		subject: "Quota € e attivazione",
		text:    "Buongiorno,\nla quota è di 5 € annui; perché sia attivato il servizio serve altro?\nSaluti, Niccolò",
		missing: StepOneForms,
	},
	// Outlook's habit: windows-1252 bytes (0x80 €, 0x92 ’) labelled iso-8859-1.
	"latin1-mislabeled.eml": {
		text:    "Il canone è di 20 € l’anno.",
		missing: StepOneForms,
	},
	// No charset at all, 8-bit latin bytes in body and raw in the subject.
	"no-charset-8bit.eml": {
		subject: "Attività PagoPA",
		text:    "L'attività è urgente, la città attende.",
		missing: StepOneForms,
	},
	// Outlook reply, multipart/alternative: the plain part wins; "-----Messaggio originale-----"
	// and the quoted 10.0.0.1 stay out; IPv6 found in the text.
	"reply-outlook.eml": {
		messageID: "AM0PR07MB1234.eurprd07.prod.outlook.com",
		subject:   "R: [INT-2026-00042] Richiesta di integrazione MyPay",
		textHas:   []string{"i test sono andati a buon fine", "Laura Verdi"},
		textLacks: []string{"Messaggio originale", "collaudo", "10.0.0.1"},
		ips:       []string{"203.0.113.30", "2001:db8:1::30"},
		missing:   StepOneForms,
	},
	// Outlook on the web, HTML only: "Da:/Inviato:" block after an <hr>.
	"reply-outlook-html.eml": {
		text:    "Ricevute, grazie.",
		missing: StepOneForms,
	},
	// Gmail: attribution wrapped over two lines; the quoted 10.1.1.1 is not an address given now.
	"reply-gmail.eml": {
		messageID: "CAF=abc123xyz@mail.gmail.com",
		text:      "Salve,\nallego i moduli firmati.\n\nGiulia",
		missing:   StepOneForms,
	},
	// Thunderbird: signature above "Il ..., X ha scritto:"; nested ">>" quote with a private IP.
	"reply-thunderbird.eml": {
		text:    "Esito dei test: positivo.",
		missing: StepOneForms,
	},
	// Inline answers between quoted questions stay fresh.
	"reply-interleaved.eml": {
		text:    "Sì, il 15/11/2026.\n203.0.113.77",
		ips:     []string{"203.0.113.77"},
		missing: StepOneForms,
	},
	// PEC envelope: multipart/signed around mixed; daticert.xml and postacert.eml inline. The
	// request is the inner message (its Message-ID, sender, subject, text and attachments).
	"pec-posta-certificata.eml": {
		messageID: "abc123.20261126@pec.comune.esempio.it",
		from:      "protocollo@pec.comune.esempio.it",
		subject:   "Richiesta integrazione MyPay – Comune di Esempio",
		pec: &PEC{Tipo: "posta-certificata", Mittente: "protocollo@pec.comune.esempio.it",
			Msgid: "abc123.20261126@pec.comune.esempio.it", Gestore: "ARUBA PEC S.p.A.", Data: "26/11/2026 10:15:00 +0100",
			OnBehalfOf: "protocollo@pec.comune.esempio.it", Destinatari: []string{"call.center@pec.regione.veneto.it"}},
		textHas:    []string{"Si trasmette la richiesta"},
		textLacks:  []string{"Messaggio di posta certificata"},
		ips:        []string{"203.0.113.40"},
		missing:    StepOneForms,
		unreadable: []string{"modulo_scansionato.jpg"},
	},
	// PEC receipt (complete: it carries the original again, which must not be read twice);
	// daticert.xml in ISO-8859-1.
	"pec-avvenuta-consegna.eml": {
		auto: true, autoReason: "avvenuta-consegna",
		receipt: "avvenuta-consegna", receiptFor: "abc123.20261126@pec.comune.esempio.it",
		pec: &PEC{Tipo: "avvenuta-consegna", Mittente: "protocollo@pec.comune.esempio.it",
			Msgid: "abc123.20261126@pec.comune.esempio.it", Gestore: "Namirial S.p.A.", Data: "26/11/2026 10:15:04 +0100",
			Destinatari: []string{"call.center@pec.regione.veneto.it"}},
		textHas: []string{"è stato consegnato"},
	},
	// Signed forms: one DER .p7m, one .p7m.p7m in base64 signed twice, one detached signature.
	"p7m-attachment.eml": {
		forms: []string{"informativa_generale@informativa_generale.docx", "qualificazione_ente_prodotto@qualificazione_ente_prodotto.docx"},
		ips:   []string{"203.0.113.50"},
		signers: []Signer{
			{File: "informativa_generale.docx.p7m", Name: "MARIO ROSSI", CodiceFiscale: "RSSMRA80A01H501U"},
			{File: "qualificazione_ente_prodotto.docx.p7m.p7m", Name: "ANNA BIANCHI", CodiceFiscale: "BNCNNA85M41L736X"},
			{File: "qualificazione_ente_prodotto.docx.p7m", Name: "MARIO ROSSI", CodiceFiscale: "RSSMRA80A01H501U"},
		},
		rejected: []string{"firma_separata.docx.p7m"},
	},
	// 40 nested multiparts: levels beyond MaxDepth (8) are rejected, the shallow text is kept.
	"bomb-nested.eml": {
		textHas:   []string{"livello 0", "livello 7"},
		textLacks: []string{"livello 8", "fondo"},
		rejected:  []string{"parte 2.2.2.2.2.2.2.2.1", "parte 2.2.2.2.2.2.2.2.2"},
		missing:   StepOneForms,
	},
	// 250 parts: the 201st and the rest are not read; one line says so.
	"too-many-parts.eml": {
		text:     "Testo del messaggio.",
		rejected: []string{"parte 201"},
		missing:  StepOneForms,
	},
	// mbox "From " line, a non-header line, unterminated address, unbracketed Message-ID, folded
	// subject, empty charset= making Content-Type unparsable, unknown charset and transfer
	// encoding, a file name with spaces unquoted, broken base64.
	"malformed-headers.eml": {
		messageID: "senza-parentesi@comune.esempio.it",
		from:      "mario.rossi@comune.esempio.it",
		subject:   "Richiesta con intestazione piegata",
		textHas:   []string{"Testo con charset sconosciuto", "Parte con transfer encoding sconosciuto"},
		ips:       []string{"203.0.113.90"},
		rejected:  []string{"modulo con spazi.pdf"},
		missing:   StepOneForms,
	},
	// The message ends inside a base64 attachment with no closing boundary.
	"truncated-mime.eml": {
		text:     "Il testo arriva intero.",
		rejected: []string{"informativa.docx"},
		missing:  StepOneForms,
	},
	// Out-of-office: auto, no forms expected of it.
	"auto-reply.eml": {
		auto: true, autoReason: "Auto-Submitted",
		text: "Sono fuori ufficio fino al 7 dicembre.",
	},
	// A bounce of mailbot's own reply: the returned message (with a blank form and an IP) is
	// not read.
	"bounce.eml": {
		auto: true, autoReason: "Auto-Submitted",
		from:      "mailer-daemon@mx.regione.veneto.it",
		textLacks: []string{"203.0.113.99", "Mancano i moduli"},
	},
}

func TestAnalyzeFixtures(t *testing.T) {
	files, err := filepath.Glob("../testdata/mail/*.eml")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, path := range files {
		name := filepath.Base(path)
		if name == "not-a-message.eml" {
			continue // TestAnalyzeNotAMessage
		}
		c, ok := mimeFixtures[name]
		if !ok {
			t.Errorf("%s: fixture without expectations", name)
			continue
		}
		seen[name] = true
		t.Run(name, func(t *testing.T) {
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			a, err := Analyze(f, Limits{})
			if err != nil {
				t.Fatal(err)
			}
			mimeCheck(t, a, c)
		})
	}
	for name := range mimeFixtures {
		if !seen[name] {
			t.Errorf("%s: expectations without fixture", name)
		}
	}
}

func mimeCheck(t *testing.T, a *Analysis, c mimeCase) {
	t.Helper()
	eq := func(what, got, want string) {
		if want != "" && got != want {
			t.Errorf("%s = %q, want %q", what, got, want)
		}
	}
	eq("MessageID", a.MessageID, c.messageID)
	eq("From", a.From, c.from)
	eq("Subject", a.Subject, c.subject)
	eq("Receipt", a.Receipt, c.receipt)
	eq("ReceiptFor", a.ReceiptFor, c.receiptFor)
	eq("Text", a.Text, c.text)
	if a.Auto != c.auto || !strings.Contains(a.AutoReason, c.autoReason) {
		t.Errorf("Auto = %v (%q), want %v (%q)", a.Auto, a.AutoReason, c.auto, c.autoReason)
	}
	switch {
	case c.pec == nil && a.PEC != nil:
		t.Errorf("PEC = %+v, want nil", *a.PEC)
	case c.pec != nil && (a.PEC == nil || !reflect.DeepEqual(*a.PEC, *c.pec)):
		t.Errorf("PEC = %+v, want %+v", a.PEC, *c.pec)
	}
	for _, s := range c.textHas {
		if !strings.Contains(a.Text, s) {
			t.Errorf("Text lacks %q:\n%s", s, a.Text)
		}
	}
	for _, s := range c.textLacks {
		if strings.Contains(a.Text, s) {
			t.Errorf("Text has %q:\n%s", s, a.Text)
		}
	}
	if a.Forms == nil || a.IPs == nil || a.Missing == nil {
		t.Errorf("nil slice: forms %v ips %v missing %v", a.Forms == nil, a.IPs == nil, a.Missing == nil)
	}
	if c.forms != nil {
		var got []string
		for _, f := range a.Forms {
			got = append(got, f.Type+"@"+f.Source)
		}
		if !slices.Equal(got, c.forms) {
			t.Errorf("Forms = %q, want %q", got, c.forms)
		}
	}
	if !slices.Equal(a.IPs, orEmpty(c.ips)) {
		t.Errorf("IPs = %q, want %q", a.IPs, c.ips)
	}
	if !slices.Equal(a.Missing, orEmpty(c.missing)) {
		t.Errorf("Missing = %q, want %q", a.Missing, c.missing)
	}
	if !slices.Equal(a.Signers, c.signers) {
		t.Errorf("Signers = %+v, want %+v", a.Signers, c.signers)
	}
	if got := parts(a.Rejected); !slices.Equal(got, c.rejected) {
		t.Errorf("Rejected = %+v, want parts %q", a.Rejected, c.rejected)
	}
	if got := parts(a.Unreadable); !slices.Equal(got, c.unreadable) {
		t.Errorf("Unreadable = %+v, want parts %q", a.Unreadable, c.unreadable)
	}
	for _, r := range append(a.Rejected, a.Unreadable...) {
		if r.Reason == "" {
			t.Errorf("rejected %q without a reason", r.Part)
		}
	}
	if c.problem != "" {
		found := false
		for _, f := range a.Forms {
			for _, p := range f.Problems {
				if f.Source == SourceBody && strings.Contains(p.Message, c.problem) {
					found = true
				}
			}
		}
		if !found {
			t.Errorf("no body problem mentioning %q in %+v", c.problem, a.Forms)
		}
	}
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func parts(rs []Rejected) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Part)
	}
	return out
}

func TestAnalyzeNotAMessage(t *testing.T) {
	for _, in := range []string{"", "\r\n\r\nsolo corpo", "nessuna intestazione qui\nneanche qui\n"} {
		if a, err := Analyze(strings.NewReader(in), Limits{}); err == nil {
			t.Errorf("Analyze(%q) = %+v, want error", in, a)
		}
	}
	f, err := os.Open("../testdata/mail/not-a-message.eml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := Analyze(f, Limits{}); err == nil {
		t.Error("not-a-message.eml: want error")
	}
}

// errReader fails after its data, as a broken IMAP literal would.
type errReader struct{ r io.Reader }

func (e errReader) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err == io.EOF {
		return n, errors.New("connessione caduta")
	}
	return n, err
}

func TestAnalyzeLimits(t *testing.T) {
	raw, err := os.ReadFile("../testdata/mail/p7m-attachment.eml")
	if err != nil {
		t.Fatal(err)
	}
	t.Run("message size", func(t *testing.T) {
		a, err := Analyze(bytes.NewReader(raw), Limits{MaxMessageBytes: 2000})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(parts(a.Rejected), "messaggio") {
			t.Errorf("Rejected = %+v, want the message itself", a.Rejected)
		}
		if a.MessageID != "p7m-1@comune.esempio.it" || a.Text == "" {
			t.Errorf("header or text lost: %q %q", a.MessageID, a.Text)
		}
	})
	t.Run("exactly at the size limit", func(t *testing.T) {
		a, err := Analyze(bytes.NewReader(raw), Limits{MaxMessageBytes: int64(len(raw))})
		if err != nil {
			t.Fatal(err)
		}
		if slices.Contains(parts(a.Rejected), "messaggio") {
			t.Errorf("message of exactly the limit rejected: %+v", a.Rejected)
		}
	})
	t.Run("p7m envelopes count as depth", func(t *testing.T) {
		// Parts sit at depth 1; the double envelope needs two more levels.
		a, err := Analyze(bytes.NewReader(raw), Limits{MaxDepth: 2})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(parts(a.Rejected), "qualificazione_ente_prodotto.docx.p7m.p7m") {
			t.Errorf("Rejected = %+v", a.Rejected)
		}
		if len(a.Forms) != 1 {
			t.Errorf("Forms = %+v, want the singly signed one", a.Forms)
		}
	})
	t.Run("parts", func(t *testing.T) {
		a, err := Analyze(bytes.NewReader(raw), Limits{MaxParts: 2})
		if err != nil {
			t.Fatal(err)
		}
		if got := parts(a.Rejected); !slices.Equal(got, []string{"parte 3"}) {
			t.Errorf("Rejected = %q", got)
		}
	})
	t.Run("read error mid-body", func(t *testing.T) {
		a, err := Analyze(errReader{bytes.NewReader(raw[:3000])}, Limits{})
		if err != nil {
			t.Fatal(err)
		}
		if a.MessageID == "" || len(a.Rejected) == 0 {
			t.Errorf("got %+v", a)
		}
	})
}

func TestMissingForms(t *testing.T) {
	forms := []Form{{Type: FormInformativaGenerale}, {Type: ""}, {Type: FormEsitiCollaudo}}
	cases := []struct {
		required []string
		want     []string
	}{
		{StepOneForms, []string{FormQualificazioneEnteProdotto}},
		{[]string{FormEsitiCollaudo}, []string{}},
		{nil, []string{}},
		{[]string{FormDomandaInvito, FormQualificazioneProcesso}, []string{FormDomandaInvito, FormQualificazioneProcesso}},
	}
	for _, c := range cases {
		if got := MissingForms(forms, c.required...); !slices.Equal(got, c.want) || got == nil {
			t.Errorf("MissingForms(%q) = %#v, want %q", c.required, got, c.want)
		}
	}
}

func TestAutoReasonFromHeader(t *testing.T) {
	cases := []struct {
		header string
		want   string // substring; "" means a person's mail
	}{
		{"From: a@b.it\r\n", ""},
		{"From: a@b.it\r\nAuto-Submitted: no\r\n", ""},
		{"From: a@b.it\r\nAuto-Submitted: auto-replied; owner-email=x\r\n", "auto-replied"},
		{"From: a@b.it\r\nPrecedence: Bulk\r\n", "bulk"},
		{"From: a@b.it\r\nList-Id: <x.lists.it>\r\n", "List-Id"},
		{"From: a@b.it\r\nList-Unsubscribe: <mailto:x>\r\n", "List-Unsubscribe"},
		{"From: a@b.it\r\nX-Auto-Response-Suppress: All\r\n", "X-Auto-Response-Suppress"},
		{"From: a@b.it\r\nX-Autoreply: yes\r\n", "X-Autoreply"},
		{"From: a@b.it\r\nX-Autorespond: yes\r\n", "X-Autorespond"},
		{"From: a@b.it\r\nReturn-Path: <>\r\n", "Return-Path"},
		{"From: Mail Delivery <MAILER-DAEMON@x.it>\r\n", "sender"},
		{"From: postmaster@x.it\r\n", "sender"},
		{"From: no-reply@x.it\r\n", "sender"},
		{"From: noreply@x.it\r\n", "sender"},
		{"From: a@b.it\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=x\r\n", "multipart/report"},
		{"From: posta-certificata@pec.it\r\nX-Ricevuta: accettazione\r\n", "accettazione"},
	}
	for _, c := range cases {
		a, err := Analyze(strings.NewReader(c.header+"\r\ntesto\r\n"), Limits{})
		if err != nil {
			t.Fatal(err)
		}
		if c.want == "" && a.Auto || c.want != "" && (!a.Auto || !strings.Contains(a.AutoReason, c.want)) {
			t.Errorf("%q: Auto = %v %q, want %q", c.header, a.Auto, a.AutoReason, c.want)
		}
	}
}

func TestAnalyzeForwardReadsQuotedForms(t *testing.T) {
	raw := "From: a@comune.esempio.it\r\nSubject: I: richiesta\r\nMessage-ID: <fw@x>\r\n\r\n" +
		"Inoltro la richiesta del sindaco.\r\n\r\n-----Messaggio originale-----\r\nDa: sindaco@comune.esempio.it\r\nInviato: lunedì\r\n\r\n" +
		"> Qualificazione Ente-Prodotto\r\n> Denominazione ente: Comune di Esempio\r\n> Nome prodotto: Tributi\r\n"
	a, err := Analyze(strings.NewReader(raw), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if a.Text != "Inoltro la richiesta del sindaco." {
		t.Errorf("Text = %q", a.Text)
	}
	if !slices.Equal(a.Missing, []string{FormInformativaGenerale}) {
		t.Errorf("Missing = %q: the forwarded form was not read (forms %+v)", a.Missing, a.Forms)
	}
}

func TestAnalyzeAttachedMessage(t *testing.T) {
	// Forwarded as attachment: the inner message's body and files are read, its header is not ours.
	raw := "From: a@comune.esempio.it\r\nSubject: moduli\r\nMessage-ID: <outer@x>\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n" +
		"--B\r\nContent-Type: text/plain\r\n\r\nVedi allegato.\r\n" +
		"--B\r\nContent-Type: message/rfc822\r\n\r\nFrom: sindaco@x.it\r\nMessage-ID: <inner@x>\r\nSubject: originale\r\n\r\n" +
		"Qualificazione Ente-Prodotto\r\nDenominazione ente: Comune di Esempio\r\nNome prodotto: Tributi\r\nIP chiamanti in collaudo: 203.0.113.60\r\n" +
		"--B--\r\n"
	a, err := Analyze(strings.NewReader(raw), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if a.MessageID != "outer@x" || a.From != "a@comune.esempio.it" || a.Text != "Vedi allegato." {
		t.Errorf("outer fields: %q %q %q", a.MessageID, a.From, a.Text)
	}
	if !slices.Equal(a.IPs, []string{"203.0.113.60"}) || !slices.Equal(a.Missing, []string{FormInformativaGenerale}) {
		t.Errorf("IPs %q, Missing %q, forms %+v", a.IPs, a.Missing, a.Forms)
	}
}

func TestAnalyzePECWithoutPostacert(t *testing.T) {
	// An anomaly envelope whose original and certification data are missing: what the envelope
	// itself says is kept.
	raw := "X-Trasporto: errore\r\nFrom: \"Per conto di: uff@pec.comune.esempio.it\" <posta-certificata@pec.it>\r\n" +
		"Reply-To: uff@pec.comune.esempio.it\r\nSubject: POSTA CERTIFICATA: richiesta\r\nMessage-ID: <opec9@pec.it>\r\n\r\navviso del gestore\r\n"
	a, err := Analyze(strings.NewReader(raw), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if a.From != "uff@pec.comune.esempio.it" || a.Subject != "richiesta" || a.MessageID != "opec9@pec.it" || a.Text != "" {
		t.Errorf("got from %q subject %q id %q text %q", a.From, a.Subject, a.MessageID, a.Text)
	}
	if a.PEC == nil || a.PEC.Tipo != "errore" {
		t.Errorf("PEC = %+v", a.PEC)
	}
}

func TestAnalyzeSMIMEOpaque(t *testing.T) {
	s := p7mNewSigner(t, p7mPerson("MARIO", "ROSSI", "TINIT-RSSMRA80A01H501U"))
	inner := "Content-Type: text/plain; charset=utf-8\r\n\r\nTesto firmato S/MIME.\r\n"
	sig := s.sign(t, []byte(inner), false)
	raw := "From: a@comune.esempio.it\r\nMessage-ID: <smime@x>\r\nContent-Type: application/pkcs7-mime; smime-type=signed-data; name=smime.p7m\r\n" +
		"Content-Transfer-Encoding: base64\r\n\r\n" + base64Lines(sig)
	a, err := Analyze(strings.NewReader(raw), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if a.Text != "Testo firmato S/MIME." || len(a.Rejected) > 0 {
		t.Errorf("Text = %q, Rejected %+v", a.Text, a.Rejected)
	}
	enveloped := "From: a@comune.esempio.it\r\nContent-Type: application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m\r\n\r\nMIAG\r\n"
	a, err = Analyze(strings.NewReader(enveloped), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Rejected) != 1 || !strings.Contains(a.Rejected[0].Reason, "cifrato") {
		t.Errorf("Rejected = %+v", a.Rejected)
	}
}

func base64Lines(b []byte) string {
	s := base64.StdEncoding.EncodeToString(b)
	var out strings.Builder
	for len(s) > 76 {
		out.WriteString(s[:76] + "\r\n")
		s = s[76:]
	}
	out.WriteString(s + "\r\n")
	return out.String()
}

// TestAnalyzeHostile feeds shapes that have broken MIME parsers: it must return, without panic,
// quickly.
func TestAnalyzeHostile(t *testing.T) {
	deepRFC822 := strings.Repeat("Content-Type: message/rfc822\r\n\r\n", 500) + "testo"
	wideHeader := "Subject: " + strings.Repeat("x", 2<<20) + "\r\n\r\nbody"
	noBoundary := "From: a@b.it\r\nContent-Type: multipart/mixed\r\n\r\n--\r\nx\r\n"
	emptyBoundary := "From: a@b.it\r\nContent-Type: multipart/mixed; boundary=\"\"\r\n\r\n--\r\n\r\nx\r\n----\r\n"
	manyEmpty := "From: a@b.it\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n" + strings.Repeat("--b\r\n\r\n", 100000) + "--b--\r\n"
	for name, in := range map[string]string{
		"deep rfc822":    deepRFC822,
		"2 MB header":    wideHeader,
		"no boundary":    noBoundary,
		"empty boundary": emptyBoundary,
		"100k parts":     manyEmpty,
	} {
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			a, err := Analyze(strings.NewReader(in), Limits{})
			if err == nil && (a.Forms == nil || a.IPs == nil || a.Missing == nil) {
				t.Error("nil slices")
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %s", d)
			}
		})
	}
}

func FuzzAnalyze(f *testing.F) {
	files, _ := filepath.Glob("../testdata/mail/*.eml")
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		if len(b) < 16<<10 { // big ones slow the fuzzer down without adding shapes
			f.Add(b)
		}
	}
	f.Add([]byte("From: a@b.it\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: message/rfc822\r\n\r\nX-Trasporto: posta-certificata\r\n\r\n--b--"))
	f.Fuzz(func(t *testing.T, data []byte) {
		lim := Limits{MaxParts: 20, MaxDepth: 4, MaxMessageBytes: 1 << 20, DocumentTimeout: time.Second}
		a, err := Analyze(bytes.NewReader(data), lim)
		if err != nil {
			return
		}
		if a.Forms == nil || a.IPs == nil || a.Missing == nil {
			t.Fatal("nil slices")
		}
		if len(a.Rejected) > lim.MaxParts+4 {
			t.Fatalf("%d rejected parts with MaxParts %d", len(a.Rejected), lim.MaxParts)
		}
	})
}

// TestAnalyzeEmbeddedImage: a picture in the HTML body is measured in its encoded bytes: a logo
// is skipped, a picture past 64 KB (a scan pasted in the message) goes to a person, and a body
// that is not clean base64 is read as go-message decodes it.
func TestAnalyzeEmbeddedImage(t *testing.T) {
	img := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(i * 7)
		}
		return b
	}
	msg := func(body string) []byte {
		return []byte("From: Anna <anna@comune.venezia.it>\r\nTo: call.center@regione.veneto.it\r\nSubject: adesione\r\n" +
			"Message-ID: <img@x>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/related; boundary=b\r\n\r\n" +
			"--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Buongiorno</p><img src=\"cid:logo\">\r\n" +
			"--b\r\nContent-Type: image/png\r\nContent-Id: <logo>\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
			body + "\r\n--b--\r\n")
	}
	for _, c := range []struct {
		name       string
		body       string
		unreadable int
	}{
		{"a 34 KB logo", base64Lines(img(34 << 10)), 0},
		{"a 64 KB logo", base64Lines(img(maxLogoBytes)), 0},
		{"a 64 KB and one byte picture", base64Lines(img(maxLogoBytes + 1)), 1},
		{"a 200 KB picture", base64Lines(img(200 << 10)), 1},
		{"a logo with spaces in its lines", strings.ReplaceAll(base64Lines(img(1000)), "\r\n", " \r\n\t"), 0},
		{"a logo cut short", base64Lines(img(1000))[:101], 0},
		{"a picture with garbage in it", strings.Replace(base64Lines(img(100<<10)), "A", "!", 1), 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			a, err := Analyze(bytes.NewReader(msg(c.body)), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if len(a.Unreadable) != c.unreadable {
				t.Errorf("unreadable %+v, want %d", a.Unreadable, c.unreadable)
			}
		})
	}
}

// copyingReader records the bytes of every document it is given, as a DocumentCopier.
type copyingReader struct{ got [][]byte }

func (c *copyingReader) ReadDocument(name, contentType string, data []byte, lim Limits) ([]Form, error) {
	c.got = append(c.got, bytes.Clone(data))
	return nil, nil
}

func (c *copyingReader) CopiesDocuments() {}

// TestAnalyzeCopierGetsEachDocument: attachments decoded into one array for a DocumentCopier
// reach it each with its own bytes, a shorter one after a longer one included, in every message
// analysed one after the other.
func TestAnalyzeCopierGetsEachDocument(t *testing.T) {
	doc := func(n int, seed byte) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = seed + byte(i*13)
		}
		return b
	}
	docs := [][]byte{doc(30000, 1), doc(700, 2), doc(12000, 3)}
	var msg strings.Builder
	msg.WriteString("From: Anna <anna@comune.venezia.it>\r\nSubject: adesione\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nIn allegato.\r\n")
	for i, d := range docs {
		fmt.Fprintf(&msg, "--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"m%d.pdf\"\r\n"+
			"Content-Transfer-Encoding: base64\r\n\r\n%s", i, base64Lines(d))
	}
	msg.WriteString("--b--\r\n")
	for range 3 {
		rd := &copyingReader{}
		if _, err := AnalyzeWith(strings.NewReader(msg.String()), Limits{}, rd); err != nil {
			t.Fatal(err)
		}
		if len(rd.got) != len(docs) {
			t.Fatalf("read %d documents, want %d", len(rd.got), len(docs))
		}
		for i := range docs {
			if !bytes.Equal(rd.got[i], docs[i]) {
				t.Errorf("document %d: %d bytes differ from the %d attached", i, len(rd.got[i]), len(docs[i]))
			}
		}
	}
}
