package console

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"mailbot/internal/browsertest"
	"mailbot/ticketing"
)

// browserSignIn signs a headless Chromium in as operator with a link issued directly (the mail
// path has its own tests) and the confirmation button pressed.
func browserSignIn(t *testing.T, e *env, bctx context.Context) {
	t.Helper()
	var link string
	err := e.d.Store.Update(context.Background(), func(tx *ticketing.Tx) error {
		var err error
		link, _, err = IssueLink(tx, e.cfg, operator, time.Now())
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	browsertest.Do(t, bctx, browsertest.Open(link, "main button"), browsertest.Leads(browsertest.Click("main button"), "#coda"))
}

// TestPagingInBrowser walks a filtered queue of 130 cases to its last page by the "next page"
// link, as a person would, and opens a case from there: the filters survive every step, each
// page shows other cases, and nothing is seen twice or missed.
func TestPagingInBrowser(t *testing.T) {
	browsertest.Path(t)
	e := start(t)
	const n = 130
	err := e.d.Store.Update(context.Background(), func(tx *ticketing.Tx) error {
		now := time.Now().Add(-time.Hour)
		for i := range n {
			_, err := tx.NewTicket(ticketing.KindIntegration, fmt.Sprintf("Adesione numero %03d", i), "referente@comune.example.it", "test", now.Add(time.Duration(i)*time.Second), e.cfg.Location())
			if err != nil {
				return err
			}
		}
		// One that the filter leaves out.
		_, err := tx.NewTicket(ticketing.KindQualification, "Adesione fuori filtro", "altro@example.it", "test", now, e.cfg.Location())
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	bctx := browsertest.Start(t, 90*time.Second)
	browserSignIn(t, e, bctx)
	q := url.Values{"tipo": {ticketing.KindIntegration}, "q": {"adesione numero"}, "ordine": {"recenti"}}
	browsertest.Do(t, bctx, browsertest.Open(e.url+"/?"+q.Encode(), "#coda"))
	seen := map[string]bool{}
	var last []string
	for page := 1; ; page++ {
		state, err := chromedp.Run(bctx, chromedp.Evaluate[map[string]any](`({
			ids: Array.from(document.querySelectorAll('#coda tbody th a')).map(a => a.textContent),
			status: document.getElementById('conteggio').textContent,
			tipo: document.getElementById('tipo').value, q: document.getElementById('q').value,
			ordine: document.getElementById('ordine').value,
			next: !!document.querySelector('a[rel="next"]'),
		})`))
		if err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf("%d pratiche su %d, pagina %d di 2", n, n+1, page); !strings.Contains(state["status"].(string), want) {
			t.Fatalf("page %d: status %q, want %q", page, state["status"], want)
		}
		if state["tipo"] != ticketing.KindIntegration || state["q"] != "adesione numero" || state["ordine"] != "recenti" {
			t.Errorf("page %d: filters lost: %v", page, state)
		}
		last = last[:0]
		for _, id := range state["ids"].([]any) {
			if seen[id.(string)] {
				t.Errorf("page %d: %s seen on an earlier page", page, id)
			}
			seen[id.(string)] = true
			last = append(last, id.(string))
		}
		if state["next"] != true {
			break
		}
		if page > 2 {
			t.Fatal("more pages than there are cases")
		}
		browsertest.Do(t, bctx, browsertest.Leads(browsertest.Click(`a[rel="next"]`), fmt.Sprintf(`#conteggio[data-pagina="%d"]`, page+1)))
	}
	if len(seen) != n || len(last) != n-PageSize {
		t.Fatalf("walked %d cases, %d on the last page; want %d and %d", len(seen), len(last), n, n-PageSize)
	}
	// The last page holds the oldest (newest first); open one from there.
	id := last[len(last)-1]
	browsertest.Do(t, bctx, browsertest.Leads(browsertest.Click(`#coda a[href$="/pratiche/`+id+`"]`), "#pratica"))
	title, err := chromedp.Run(bctx, chromedp.Text(chromedp.ID("pratica")))
	if err != nil {
		t.Fatal(err)
	}
	if title != "Pratica "+id {
		t.Errorf("opened %q, want the case %s", title, id)
	}
	if tk, _ := e.d.Store.Ticket(context.Background(), id); tk.Subject != "Adesione numero 000" {
		t.Errorf("the last page's last case is %q, want the oldest", tk.Subject)
	}
}
