package console

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"mailbot/internal/browsertest"
	"mailbot/internal/demo"
	"mailbot/internal/wait"
	"mailbot/ticketing"
)

// hostile is what an attacker may put in a subject, an ente's name or a form value: shown as
// text, it runs nothing.
const hostile = `<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>`

// addHostileCase opens a case whose subject, ente and form values are hostile.
func addHostileCase(t *testing.T, e *env) string {
	t.Helper()
	var id string
	err := e.d.Store.Update(context.Background(), func(tx *ticketing.Tx) error {
		now := time.Now()
		tk, err := tx.NewTicket(ticketing.KindIntegration, "Richiesta "+hostile, "attacco@example.com", "test", now, e.cfg.Location())
		if err != nil {
			return err
		}
		id = tk.ID
		if err := tx.SetEnte(id, ticketing.Ente{Name: "Comune " + hostile, CodiceFiscale: "00339370272"}, []string{"MyPay"}, now); err != nil {
			return err
		}
		if err := tx.SetFlag(id, ticketing.FlagUnreadable, "allegato illeggibile: "+hostile+".pdf", "test", now); err != nil {
			return err
		}
		return tx.AddForm(id, ticketing.Form{MessageID: "m@example.com", Type: "informativa_generale", Source: hostile + ".pdf",
			Fields:     map[string]any{"ente.denominazione": hostile},
			Problems:   []ticketing.Problem{{Field: "ente.codice_ipa", Value: hostile, Message: "non valido"}},
			Provenance: map[string]ticketing.Provenance{"ente.denominazione": {Document: hostile + ".pdf", How: "label", Sure: false, Doubt: hostile}},
			ReceivedAt: now})
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// TestConsoleInBrowser signs in as a person would, in headless Chromium: the address typed in,
// the link read from the mail the outbox sent, the button pressed. Then the queue, a search, a
// filter, and actions by keyboard and mouse; hostile content stays text; axe-core finds no
// WCAG 2.1 A/AA violation on any page; the browser console stays clean. Screenshots are kept.
func TestConsoleInBrowser(t *testing.T) {
	browsertest.Path(t) // skip before any setup when there is no browser
	if _, err := os.Stat("testdata/axe-core/axe.min.js"); err != nil {
		t.Fatal(err)
	}
	e := start(t, "01-richiesta-venezia.eml")
	list, _ := e.d.Store.Tickets(context.Background())
	venezia := list[0].ID
	bad := addHostileCase(t, e)
	if _, err := demo.Deliver(e.l, hostileMail()); err != nil {
		t.Fatal(err)
	}
	auto := "From: risponditore@example.com\r\nTo: " + demo.CallCenter + "\r\nAuto-Submitted: auto-replied\r\nSubject: Fuori ufficio " + hostile +
		"\r\nMessage-ID: <auto-1@example.com>\r\nDate: Mon, 23 Nov 2026 10:00:00 +0100\r\nContent-Type: text/plain\r\n\r\nSono in ferie.\r\n"
	if _, err := demo.Deliver(e.l, []byte(auto)); err != nil {
		t.Fatal(err)
	}
	wait.For(e.t, "the quarantine", func() bool {
		kept, _ := e.d.Store.QuarantineQueue(context.Background())
		return len(kept) > 0
	})
	var badMail string
	wait.For(e.t, "the hostile mail's case", func() bool {
		list, _ := e.d.Store.Tickets(context.Background())
		for _, tk := range list {
			if tk.Messages > 0 && tk.Requester == "attacco@example.com" {
				badMail = tk.ID
			}
		}
		return badMail != ""
	})

	bctx := browsertest.Start(t, 240*time.Second)

	consoleProblems := browsertest.WatchConsole(bctx)
	dir := browsertest.ArtifactDir(t)
	do := func(actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		browsertest.Do(t, bctx, actions...)
	}
	eval := func(js string) any {
		t.Helper()
		v, err := chromedp.Run(bctx, chromedp.Evaluate[any](js, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatalf("%.80s: %v", js, err)
		}
		return v
	}
	text := func() string {
		t.Helper()
		s, _ := eval(`document.body.innerText`).(string)
		return s
	}
	// check runs axe-core on the page (WCAG 2.1 A and AA) and keeps a screenshot.
	check := func(name string) {
		t.Helper()
		if v := eval(`window.__xss === undefined`); v != true {
			t.Errorf("%s: a hostile script ran", name)
		}
		for _, s := range axeViolations(t, bctx) {
			t.Errorf("%s: axe: %s", name, s)
		}
		shot, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, "console-"+name+".png")
		if err := os.WriteFile(path, shot, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	// Sign in: the address typed, the mail read from the test SMTP server, the button pressed.
	do(browsertest.Open(e.url+"/", "#email"))
	check("accesso")
	// Keyboard first: Tab lands on the skip link, visibly.
	do(chromedp.KeyEvent(kb.Tab))
	if got := eval(`[document.activeElement.getAttribute('href'), getComputedStyle(document.activeElement).outlineStyle].join('|')`); got != "#contenuto|solid" {
		t.Errorf("skip link focus: %v", got)
	}
	before := len(e.l.DeliveredTo(operator))
	do(browsertest.Leads(browsertest.Type("#email", operator+kb.Enter), "#posta"))
	if !strings.Contains(text(), "Controlli la posta") {
		t.Fatalf("after the request: %s", text())
	}
	check("posta")
	var link string
	wait.For(e.t, "the sign-in mail", func() bool {
		d := e.l.DeliveredTo(operator)
		if len(d) == before {
			return false
		}
		link = linkRE.FindString(strings.NewReplacer("=\r\n", "", "=3D", "=").Replace(string(d[len(d)-1].Raw)))
		return true
	})
	do(browsertest.Open(link, "main button"))
	check("conferma")
	do(browsertest.Leads(browsertest.Click("main button"), "#coda"))
	check("coda")
	if got := text(); !strings.Contains(got, venezia) || !strings.Contains(got, hostile) {
		t.Errorf("queue without both cases, or hostile subject not shown as text:\n%s", got)
	}

	// Search by keyboard: type, Enter.
	do(browsertest.Leads(browsertest.Type("#q", "venezia"+kb.Enter), `#q[value="venezia"]`))
	if got := eval(`Array.from(document.querySelectorAll('#coda tbody th a')).map(a => a.textContent).join(',')`); got != venezia {
		t.Errorf("search venezia: %v", got)
	}
	check("ricerca")
	do(browsertest.Open(e.url+"/?segnalata=si", "#coda"))
	if got, _ := eval(`Array.from(document.querySelectorAll('#coda tbody th a')).map(a => a.textContent).join(',')`).(string); !strings.Contains(got, bad) || strings.Contains(got, venezia) {
		t.Errorf("flagged filter: %v", got)
	}

	// The quarantine list.
	do(browsertest.Open(e.url+"/trattenuti", "#trattenuti"))
	if got := text(); !strings.Contains(got, "Fuori ufficio "+hostile) {
		t.Errorf("quarantine:\n%s", got)
	}
	check("trattenuti")
	do(browsertest.Open(e.url+"/risposte-trattenute", "#risposte-trattenute"))
	check("risposte-trattenute")

	// The hostile case: every value is text.
	do(browsertest.Open(e.url+"/pratiche/"+bad, "#pratica"))
	if got := text(); strings.Count(got, hostile) < 4 {
		t.Errorf("hostile values not shown as text:\n%s", got)
	}
	if n := eval(`document.querySelectorAll('main img, main script').length`); n != float64(0) {
		t.Errorf("hostile markup became %v elements", n)
	}
	check("pratica-ostile")
	do(browsertest.Open(e.url+"/pratiche/"+badMail, "#pratica"))
	if got := text(); !strings.Contains(got, `Buongiorno <img src=x onerror="window.__xss=4"> vorremmo aderire.`) || !strings.Contains(got, "<img src=x onerror=alert(5)>.html") {
		t.Errorf("hostile message not shown as text:\n%s", got)
	}
	check("pratica-messaggio-ostile")

	// Actions: a note, then assignment to me.
	do(browsertest.Open(e.url+"/pratiche/"+venezia, "#nota-testo"))
	check("pratica")
	do(browsertest.Type("#nota-testo", "Telefonato al referente."),
		browsertest.Leads(browsertest.Click(`form:has(#nota-testo) button`), ".flash"))
	if got := text(); !strings.Contains(got, "nota registrata") || !strings.Contains(got, "Telefonato al referente.") {
		t.Errorf("after the note:\n%s", got)
	}
	check("pratica-nota")
	do(browsertest.Leads(browsertest.Click(`form:has(#assegna-a) button`), `#assegnata[data-a="`+operator+`"]`))
	wait.For(e.t, "the assignment", func() bool {
		tk, _ := e.d.Store.Ticket(context.Background(), venezia)
		return tk.Assignee == operator
	})
	// A refused action's outcome is shown, and the error page passes too.
	do(browsertest.Open(e.url+"/pratiche/NON-ESISTE", "#errore"))
	check("errore")

	// Sign out.
	do(browsertest.Open(e.url+"/", "#coda"), browsertest.Leads(browsertest.Click(`header form button`), "#uscito"))
	check("uscita")
	do(browsertest.Open(e.url+"/", "#email"))

	for _, p := range consoleProblems() {
		if strings.Contains(p, "status of 404") && strings.Contains(p, "/pratiche/NON-ESISTE") {
			continue // the error page asked for
		}
		t.Errorf("browser console: %s", p)
	}
}
