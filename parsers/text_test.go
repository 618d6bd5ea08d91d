package parsers

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSplitReply(t *testing.T) {
	cases := []struct {
		name                     string
		in                       string
		fresh, quoted, signature string
	}{
		{
			name:  "no quote, no signature",
			in:    "Buongiorno,\ninvio i moduli.\n\nCordiali saluti\nMario",
			fresh: "Buongiorno,\ninvio i moduli.\n\nCordiali saluti\nMario",
		},
		{
			name:      "sig delimiter with its space; closing stays in fresh",
			in:        "Invio i moduli.\nDistinti saluti\n-- \nMario Rossi\nComune di Esempio",
			fresh:     "Invio i moduli.\nDistinti saluti",
			signature: "Mario Rossi\nComune di Esempio",
		},
		{
			name:      "sig delimiter trimmed by the client",
			in:        "Ok.\n--\nMario",
			fresh:     "Ok.",
			signature: "Mario",
		},
		{
			name:   "gmail italian attribution wrapped on two lines",
			in:     "Allego i moduli.\n\nIl giorno mar 1 dic 2026 alle ore 09:10 Call Center <\ncall.center@regione.veneto.it> ha scritto:\n\n> Mancano i moduli.\n",
			fresh:  "Allego i moduli.",
			quoted: "Il giorno mar 1 dic 2026 alle ore 09:10 Call Center <\ncall.center@regione.veneto.it> ha scritto:\n\n> Mancano i moduli.",
		},
		{
			name:   "thunderbird italian attribution",
			in:     "Positivo.\n\nIl 02/12/2026 11:00, Call Center MyPay ha scritto:\n> Esiti?",
			fresh:  "Positivo.",
			quoted: "Il 02/12/2026 11:00, Call Center MyPay ha scritto:\n> Esiti?",
		},
		{
			name:   "english attribution",
			in:     "Done.\n\nOn Tue, Dec 1, 2026 at 9:10 AM Call Center <cc@example.it> wrote:\n> Please send",
			fresh:  "Done.",
			quoted: "On Tue, Dec 1, 2026 at 9:10 AM Call Center <cc@example.it> wrote:\n> Please send",
		},
		{
			name:   "outlook original message rule",
			in:     "Grazie.\r\n\r\n-----Messaggio originale-----\r\nDa: Call Center\r\nInviato: venerdì\r\n\r\nTesto vecchio",
			fresh:  "Grazie.",
			quoted: "-----Messaggio originale-----\nDa: Call Center\nInviato: venerdì\n\nTesto vecchio",
		},
		{
			name:   "outlook header block without rule",
			in:     "Ricevute.\n\nDa: Call Center <cc@regione.veneto.it>\nInviato: lunedì 30 novembre 2026 08:50\nA: Laura\nOggetto: Credenziali\n\nLe credenziali",
			fresh:  "Ricevute.",
			quoted: "Da: Call Center <cc@regione.veneto.it>\nInviato: lunedì 30 novembre 2026 08:50\nA: Laura\nOggetto: Credenziali\n\nLe credenziali",
		},
		{
			name:   "outlook underscore rule and English block",
			in:     "Fine.\n________________________________\nFrom: Call Center\nSent: Monday\nSubject: x\n\nold",
			fresh:  "Fine.",
			quoted: "________________________________\nFrom: Call Center\nSent: Monday\nSubject: x\n\nold",
		},
		{
			name:   "outlook block from HTML keeps asterisks",
			in:     "Ok.\n*Da:* Call Center\n*Inviato:* lunedì\nvecchio",
			fresh:  "Ok.",
			quoted: "*Da:* Call Center\n*Inviato:* lunedì\nvecchio",
		},
		{
			name:   "interleaved answers stay fresh",
			in:     "> Lettera inviata?\nSì, il 15/11/2026.\n> IP?\n203.0.113.77",
			fresh:  "Sì, il 15/11/2026.\n203.0.113.77",
			quoted: "> Lettera inviata?\n> IP?",
		},
		{
			name:   "gmail forward rule",
			in:     "Vedi sotto.\n\n---------- Forwarded message ---------\nDa: Mario\nDenominazione ente: Comune",
			fresh:  "Vedi sotto.",
			quoted: "---------- Forwarded message ---------\nDa: Mario\nDenominazione ente: Comune",
		},
		{
			name:      "signature before the quote, as Thunderbird puts it",
			in:        "Esito: positivo.\n\n-- \nPaolo\n\nIl 02/12/2026 11:00, Call Center ha scritto:\n> ?",
			fresh:     "Esito: positivo.",
			quoted:    "Il 02/12/2026 11:00, Call Center ha scritto:\n> ?",
			signature: "Paolo",
		},
		{
			name:   "a field label Da: alone is not an Outlook block",
			in:     "Da: Comune di Esempio\nDenominazione ente: Comune di Esempio",
			fresh:  "Da: Comune di Esempio\nDenominazione ente: Comune di Esempio",
			quoted: "",
		},
		{
			name:  "a sentence with 'ha scritto' is not an attribution",
			in:    "Il sindaco ci ha scritto che la lettera è partita.",
			fresh: "Il sindaco ci ha scritto che la lettera è partita.",
		},
		{name: "empty", in: ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fresh, quoted, sig := SplitReply(c.in)
			if fresh != c.fresh {
				t.Errorf("fresh = %q, want %q", fresh, c.fresh)
			}
			if quoted != c.quoted {
				t.Errorf("quoted = %q, want %q", quoted, c.quoted)
			}
			if sig != c.signature {
				t.Errorf("signature = %q, want %q", sig, c.signature)
			}
		})
	}
}

func TestBodyText(t *testing.T) {
	cases := []struct {
		name      string
		mediaType string
		body      string
		want      string
	}{
		{"utf-8 kept", "text/plain", "perché €", "perché €"},
		{"undeclared windows-1252 bytes", "text/plain", "perch\xe9 \x80", "perché €"},
		{"latin-1 label on windows-1252 bytes: C1 controls mapped", "text/plain", "l\u0092anno \u0080", "l’anno €"},
		{"CRLF normalised", "text/plain", "a\r\nb\r\n", "a\nb"},
		{"html paragraphs and entities", "text/html", "<p>Città&nbsp;di <b>Esempio</b></p><p>seconda</p>", "Città di Esempio\n\nseconda"},
		{"html two-cell rows become label: value", "text/html", "<table><tr><td>Codice IPA</td><td>c_x123</td></tr><tr><td>IP:</td><td>203.0.113.1</td></tr></table>", "Codice IPA: c_x123\nIP: 203.0.113.1"},
		{"html wider rows joined", "text/html", "<table><tr><th>a</th><th>b</th><th>c</th></tr></table>", "a | b | c"},
		{"html style and head dropped", "text/html", "<html><head><style>p{color:red}</style></head><body><p>Testo</p></body></html>", "Testo"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := bodyText(c.mediaType, []byte(c.body)); got != c.want {
				t.Errorf("bodyText = %q, want %q", got, c.want)
			}
		})
	}
}

func FuzzSplitReply(f *testing.F) {
	for _, s := range []string{
		"",
		"Ok.\n-- \nMario",
		"> a\nb\n> c",
		"x\n\nIl giorno 1 dic 2026 Mario <\nm@x.it> ha scritto:\n> y",
		"x\n-----Original Message-----\nFrom: a\nSent: b",
		"Da: a\n\n\nInviato: b",
		"________________\nDa: a\nInviato: b",
		"\r\r\n--\r\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fresh, quoted, sig := SplitReply(s)
		// Nothing is invented: every line returned was in the input.
		norm := strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
		for _, part := range []string{fresh, quoted, sig} {
			if utf8.ValidString(s) && !utf8.ValidString(part) {
				t.Fatalf("invalid UTF-8 out of valid input: %q", part)
			}
			for _, l := range strings.Split(part, "\n") {
				if !strings.Contains(norm, l) {
					t.Fatalf("line %q not in input %q", l, s)
				}
			}
		}
		if len(fresh)+len(quoted)+len(sig) > len(norm) {
			t.Fatalf("output longer than input: %q", s)
		}
	})
}

// TestQuotedHTMLIsNeverOwnWords is finding 6 of issue 19: in an HTML-only reply, what the client
// put inside its quote container is quoted text, whatever it says, and so is anything after the
// first quote marker of a plain reply: a command there is never the writer's.
func TestQuotedHTMLIsNeverOwnWords(t *testing.T) {
	const own, quoted = "#nota richiamato il referente", "#annulla non ci interessa più"
	cases := []struct{ name, html string }{
		{"plain blockquote without attribution", `<div>` + own + `</div><blockquote>` + quoted + `</blockquote>`},
		{"Apple Mail blockquote type=cite", `<html><body><div>` + own + `</div><div><br><blockquote type="cite"><div>Il giorno 26 nov 2026, alle ore 10:15, Mario &lt;m@x.it&gt; ha scritto:</div><div>` + quoted + `</div></blockquote></div></body></html>`},
		{"Thunderbird moz-cite-prefix", `<p>` + own + `</p><div class="moz-cite-prefix">Il 26/11/2026 10:15, Mario ha scritto:<br></div><blockquote type="cite" cite="mid:x@y">` + quoted + `</blockquote>`},
		{"Gmail gmail_quote", `<div dir="ltr">` + own + `</div><br><div class="gmail_quote gmail_quote_container"><div dir="ltr" class="gmail_attr">Il giorno gio 26 nov 2026 Mario ha scritto:<br></div><blockquote class="gmail_quote" style="margin:0px">` + quoted + `</blockquote></div>`},
		{"Gmail quote without its blockquote", `<div>` + own + `</div><div class="gmail_quote"><div>` + quoted + `</div></div>`},
		{"Outlook on the web divRplyFwdMsg", `<div>` + own + `</div><div id="appendonsend"></div><hr style="display:inline-block;width:98%"><div id="divRplyFwdMsg" dir="ltr"><b>Da:</b> Mario<br><b>Inviato:</b> giovedì</div><div>` + quoted + `</div>`},
		{"Outlook desktop border-top block", `<div class="WordSection1"><p class="MsoNormal">` + own + `</p><div><div style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm"><p class="MsoNormal"><b>Da:</b> Mario<br><b>Inviato:</b> giovedì</p></div></div><p class="MsoNormal">` + quoted + `</p></div>`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			text := bodyText("text/html", []byte(c.html))
			fresh, _, _ := SplitReply(text)
			for name, got := range map[string]string{"fresh": fresh, "own words": OwnWords(text)} {
				if !strings.Contains(got, own) {
					t.Errorf("%s lost the writer's own line:\n%s", name, got)
				}
				if strings.Contains(got, "#annulla") {
					t.Errorf("%s holds the quoted command:\n%s", name, got)
				}
			}
		})
	}
	// Plain text: an answer interleaved after a quote stays fresh (it is read for forms), but it
	// is below the first quote marker, so it is not among the writer's own words.
	plain := own + "\n> testo citato\n" + quoted
	if fresh, _, _ := SplitReply(plain); !strings.Contains(fresh, "#annulla") {
		t.Errorf("interleaved answer lost from fresh: %q", fresh)
	}
	if got := OwnWords(plain); got != own {
		t.Errorf("own words %q, want %q", got, own)
	}
}

// FuzzHTMLQuote: finding where the quote of an HTML body starts never panics, cuts inside the
// body, and leaves nothing of the quoted part among the writer's own words.
func FuzzHTMLQuote(f *testing.F) {
	f.Add(`<div>#nota x</div><blockquote>#annulla</blockquote>`)
	f.Add(`<div class="gmail_quote"><div class="gmail_attr">x</div>`)
	f.Add(`<div style="border:none;border-top:solid #E1E1E1 1.0pt">Da: x</div><p>y`)
	f.Add(`<p>a<hr id=stopSpelling><p>b`)
	f.Fuzz(func(t *testing.T, s string) {
		at := quoteCut(s)
		if at > len(s) {
			t.Fatalf("cut at %d of %d bytes", at, len(s))
		}
		text := htmlToText(s)
		if at >= 0 && !strings.Contains(text, "\n> ") && strings.TrimSpace(htmlConvert(s[at:])) != "" {
			t.Fatalf("the quoted part is not marked: %q", text)
		}
		_ = OwnWords(text)
	})
}
