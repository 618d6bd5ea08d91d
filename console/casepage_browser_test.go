package console

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"mailbot/internal/browsertest"
	"mailbot/internal/wait"
	"mailbot/mailbot"
	"mailbot/ticketing"
)

// axeViolations runs axe-core on the page in bctx (WCAG 2.1 A and AA) and lists what it finds.
func axeViolations(t *testing.T, bctx context.Context) []string {
	t.Helper()
	loaded, err := chromedp.Run(bctx, chromedp.Evaluate[bool](`typeof axe === 'object'`))
	if err != nil {
		t.Fatal(err)
	}
	if !loaded {
		src, err := os.ReadFile("testdata/axe-core/axe.min.js")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := chromedp.Run(bctx, chromedp.Evaluate[bool](string(src)+";true")); err != nil {
			t.Fatal(err)
		}
	}
	v, err := chromedp.Run(bctx, chromedp.Evaluate[[]string](`axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})
		.then(r => r.passes.length === 0 ? ['axe checked nothing'] : r.violations.map(v => v.id + ' (' + v.impact + '): ' + v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', ')))`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("axe: %v", err)
	}
	return v
}

// region is what the case page's first region lists.
type region struct {
	Doubts    []string `json:"doubts"`
	Proposals []string `json:"proposals"`
	Held      []string `json:"held"`
	Kept      []string `json:"kept"`
	Flag      bool     `json:"flag"`
	Nothing   bool     `json:"nothing"`
	First     bool     `json:"first"` // the region is the first thing in main after the title
}

const readRegion = `(() => {
	const r = document.getElementById('da-decidere');
	const all = (sel, attr) => r ? Array.from(r.querySelectorAll(sel)).map(e => e.getAttribute(attr)) : [];
	const main = document.querySelector('main');
	const firstSection = main.querySelector('section, .case-layout, h2');
	return {doubts: all('[data-chiave]', 'data-chiave'), proposals: all('[data-proposta]', 'data-proposta'),
		held: all('[data-risposta]', 'data-risposta'), kept: all('[data-messaggio]', 'data-messaggio'),
		flag: !!(r && r.querySelector('.flag')), nothing: !!document.getElementById('nulla'),
		first: firstSection === r};
})()`

// TestCasePageByKeyboard: in headless Chromium, the case page's first region lists each value
// in doubt, each proposal, the held reply and the referent's message kept aside, and a person
// settles every one of them with the keyboard alone: Tab until the control has the focus, then
// Enter or Space. No click, no script that submits. axe-core finds nothing on the way, and the
// region ends saying there is nothing left to decide.
func TestCasePageByKeyboard(t *testing.T) {
	browsertest.Path(t)
	e := start(t, "01-richiesta-venezia.eml")
	list, _ := e.d.Store.Tickets(context.Background())
	id := list[0].ID
	n := addNeeds(t, e, id)
	bctx := browsertest.Start(t, 240*time.Second)
	consoleProblems := browsertest.WatchConsole(bctx)
	browserSignIn(t, e, bctx)
	dir := browsertest.ArtifactDir(t)

	do := func(actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		browsertest.Do(t, bctx, actions...)
	}
	read := func() region {
		t.Helper()
		r, err := chromedp.Run(bctx, chromedp.Evaluate[region](readRegion))
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	check := func(name string) {
		t.Helper()
		for _, v := range axeViolations(t, bctx) {
			t.Errorf("%s: axe: %s", name, v)
		}
		if shot, err := chromedp.Run(bctx, chromedp.FullScreenshot(100)); err == nil {
			os.WriteFile(filepath.Join(dir, "console-"+name+".png"), shot, 0o644)
		}
	}
	// press moves the focus with Tab (Shift+Tab never needed: the page is read top down) until
	// the element sel has it, then presses key on it and waits for the next page.
	press := func(sel, key string) {
		t.Helper()
		found := false
		for range 120 {
			do(chromedp.KeyEvent(kb.Tab))
			ok, err := chromedp.Run(bctx, chromedp.Evaluate[bool](`document.activeElement === document.querySelector(`+strconv.Quote(sel)+`)`))
			if err != nil {
				t.Fatal(err)
			}
			if ok {
				found = true
				break
			}
		}
		if !found {
			t.Fatalf("Tab never reaches %s", sel)
		}
		do(browsertest.Leads(chromedp.KeyEvent(key), "#pratica"))
	}
	flash := func() string {
		t.Helper()
		s, err := chromedp.Run(bctx, chromedp.Evaluate[string](`(document.querySelector('.flash') || {}).textContent || ''`))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	// start puts the focus back at the top of the page, as a reload does.
	top := func() {
		t.Helper()
		do(browsertest.Open(e.url+"/pratiche/"+id, "#pratica"))
	}

	top()
	r := read()
	if !r.First {
		t.Error("the region of what needs a person is not the first thing of the page")
	}
	for _, k := range n.doubts {
		if !slices.Contains(r.Doubts, k) {
			t.Errorf("doubt %s not in the first region: %v", k, r.Doubts)
		}
	}
	if !slices.Contains(r.Proposals, strconv.Itoa(n.props[0])) || !slices.Contains(r.Proposals, strconv.Itoa(n.props[1])) || !slices.Contains(r.Held, strconv.FormatInt(n.held, 10)) ||
		!slices.Contains(r.Kept, strconv.FormatInt(n.kept, 10)) {
		t.Errorf("first region without the proposal, the held reply or the kept message: %+v", r)
	}
	check("pratica-da-decidere")

	// The doubts, one at a time from the top, alternating Enter and Space: the first control of
	// each (confirm the value read, or take the other reading).
	keys := []string{kb.Enter, " "}
	for i := 0; len(r.Doubts) > 0; i++ {
		if i > 2*len(n.doubts) {
			t.Fatalf("doubts not settled by their buttons: %v", r.Doubts)
		}
		k := r.Doubts[0]
		press(`[data-chiave="`+k+`"] .settle button`, keys[i%2])
		got := flash()
		if strings.Contains(got, "Non eseguito") {
			t.Fatalf("settling %s: %s", k, got)
		}
		top()
		r = read()
	}
	forms, _ := e.d.Store.Forms(context.Background(), id)
	for _, d := range mailbot.Doubts(ticketing.KindIntegration, forms, nil) {
		t.Errorf("still in doubt after the keyboard: %s.%s", d.Type, d.Key)
	}

	// The proposals: the first accepted, the second rejected.
	press(`[data-proposta="`+strconv.Itoa(n.props[0])+`"] form:has(input[value="accetta"]) button`, kb.Enter)
	if got := flash(); strings.Contains(got, "Non eseguito") || got == "" {
		t.Errorf("accepting the proposal: %q", got)
	}
	top()
	press(`[data-proposta="`+strconv.Itoa(n.props[1])+`"] form:has(input[value="rifiuta"]) button`, " ")
	if got := flash(); strings.Contains(got, "Non eseguito") || got == "" {
		t.Errorf("rejecting the proposal: %q", got)
	}
	top()
	if r = read(); len(r.Proposals) > 0 {
		t.Errorf("proposals still listed after deciding them: %v", r.Proposals)
	}
	props, _ := e.d.Store.ListProposals(context.Background(), id)
	for i, p := range props {
		if want := []ticketing.ProposalState{ticketing.ProposalConfirmed, ticketing.ProposalRejected}[i]; p.State != want || !strings.HasPrefix(p.DecidedBy, operator) {
			t.Errorf("proposal %d: %s by %q, want %s by %s", p.Seq, p.State, p.DecidedBy, want, operator)
		}
	}

	// The held reply, sent (within the caps); the referent's mail kept aside, joined to the case.
	press(`[data-risposta="`+strconv.FormatInt(n.held, 10)+`"] button[value="invia"]`, " ")
	if got := flash(); !strings.Contains(got, "inviata") {
		t.Errorf("sending the held reply: %q", got)
	}
	top()
	press(`[data-messaggio="`+strconv.FormatInt(n.kept, 10)+`"] button[value="allega"]`, kb.Enter)
	if got := flash(); !strings.Contains(got, "aggiunto alla pratica "+id) {
		t.Errorf("attaching the kept message: %q", got)
	}
	top()
	if r = read(); r.Flag {
		press(`#da-decidere .flag button`, kb.Enter)
		top()
		r = read()
	}
	if len(r.Doubts)+len(r.Proposals)+len(r.Held)+len(r.Kept) > 0 || r.Flag || !r.Nothing {
		t.Errorf("after settling everything by keyboard the region lists %+v", r)
	}
	check("pratica-decisa")
	wait.For(t, "the released reply to reach the referent", func() bool {
		for _, m := range e.l.DeliveredTo(referent) {
			if strings.Contains(string(m.Raw), "Abbiamo ricevuto i documenti.") {
				return true
			}
		}
		return false
	})
	for _, p := range consoleProblems() {
		t.Errorf("browser console: %s", p)
	}
}
