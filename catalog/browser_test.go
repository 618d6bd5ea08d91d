package catalog

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"mailbot/internal/browsertest"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestPagesInBrowser opens the served catalogs in headless Chromium, as a person would: the three
// tables render with their styles, the filter box and the column headers work, the skip link
// takes the focus first and shows it, the console stays clean (no script error, no resource or
// Content-Security-Policy failure). A screenshot of each page is kept as an artifact.
func TestPagesInBrowser(t *testing.T) {
	browsertest.Path(t) // skip before any setup when there is no browser
	s, _ := fixtureStore(t)
	set := build(t, s)
	_, base := startServer(t, set)

	bctx := browsertest.Start(t, 90*time.Second)

	consoleProblems := browsertest.WatchConsole(bctx)
	dir := browsertest.ArtifactDir(t)
	eval := func(js string) any {
		t.Helper()
		v, err := chromedp.Run(bctx, chromedp.Evaluate[any](js, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		return v
	}
	firstColumn := func() []string {
		t.Helper()
		v, err := chromedp.Run(bctx, chromedp.Evaluate[[]string](
			`Array.from(document.querySelectorAll('#tabella tbody tr')).filter(r => !r.hidden).map(r => r.cells[0].textContent.trim())`))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	do := func(actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		browsertest.Do(t, bctx, actions...)
	}

	for _, name := range Names {
		do(browsertest.Open(base+"/"+name+".html", "#tabella"))
		want := len(set.Get(name).Entries)
		if n := eval(`document.querySelectorAll('#tabella tbody tr').length`); n != float64(want) {
			t.Errorf("%s: %v rows, want %d", name, n, want)
		}
		if got := eval(`[document.documentElement.lang, !!document.querySelector('#tabella caption'),
			document.querySelectorAll('#tabella thead th[scope=col]').length, document.querySelectorAll('#tabella tbody th[scope=row]').length,
			getComputedStyle(document.querySelector('.it-header-center-wrapper')).backgroundColor,
			getComputedStyle(document.body).fontFamily.startsWith('"Titillium Web"')].join('|')`); got !=
			strings.Join([]string{"it", "true", strconv.Itoa(len(set.Get(name).Columns) - 1), strconv.Itoa(want), "rgb(0, 102, 204)", "true"}, "|") {
			t.Errorf("%s: lang|caption|th col|th row|header colour|font = %v", name, got)
		}
		if ok := eval(`document.fonts.ready.then(() => document.fonts.check('16px "Titillium Web"'))`); ok != true {
			t.Errorf("%s: Titillium Web not loaded", name)
		}
		shot, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, "catalog-"+name+".png")
		if err := os.WriteFile(path, shot, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot of %s.html: %s", name, path)
	}

	// The page of the enti: Comune di Padova, Comune di Venezia, Provincia di Rovigo.
	do(browsertest.Open(base+"/enti.html", "#tabella"))

	// Keyboard first: Tab lands on the skip link, visibly; Enter moves to the content.
	do(chromedp.KeyEvent(kb.Tab))
	if got := eval(`[document.activeElement.getAttribute('href'), getComputedStyle(document.activeElement).outlineStyle,
		document.activeElement.getBoundingClientRect().width > 10].join('|')`); got != "#contenuto|solid|true" {
		t.Errorf("skip link focus: %v", got)
	}
	do(chromedp.KeyEvent(kb.Enter))
	if got := eval(`location.hash`); got != "#contenuto" {
		t.Errorf("skip link went to %v", got)
	}

	// Filtering: words in any order and case, across columns; the count is announced.
	do(browsertest.Type("#filtro", "tributiweb PADOVA"))
	if got := firstColumn(); !slices.Equal(got, []string{"Comune di Padova"}) {
		t.Errorf("filtered: %v", got)
	}
	if got := eval(`document.getElementById('conteggio').textContent`); got != "1 voce su 3" {
		t.Errorf("count: %v", got)
	}
	do(browsertest.Type("#filtro", " nessuno"))
	if got := eval(`[document.querySelectorAll('#tabella tbody tr:not([hidden])').length, document.getElementById('nessuna').hidden].join('|')`); got != "0|false" {
		t.Errorf("no match: %v", got)
	}
	do(browsertest.Type("#filtro", strings.Repeat(kb.Backspace, len("tributiweb PADOVA nessuno"))))
	if got := firstColumn(); len(got) != 3 {
		t.Errorf("filter cleared: %v", got)
	}

	// Sorting: by date (ISO value behind the Italian one), both ways, then by name again.
	sortBy := func(col int) {
		t.Helper()
		do(browsertest.Click("#tabella thead th:nth-child(" + strconv.Itoa(col) + ") button"))
	}
	sortBy(5) // Attivo dal
	if got := firstColumn(); !slices.Equal(got, []string{"Comune di Venezia", "Comune di Padova", "Provincia di Rovigo"}) {
		t.Errorf("by date: %v", got)
	}
	if got := eval(`document.querySelector('#tabella thead th:nth-child(5)').getAttribute('aria-sort') + '|' + document.querySelector('#tabella thead th:nth-child(1)').getAttribute('aria-sort')`); got != "ascending|none" {
		t.Errorf("aria-sort: %v", got)
	}
	sortBy(5)
	if got := firstColumn(); !slices.Equal(got, []string{"Provincia di Rovigo", "Comune di Padova", "Comune di Venezia"}) {
		t.Errorf("by date, descending: %v", got)
	}
	sortBy(1)
	if got := firstColumn(); !slices.Equal(got, []string{"Comune di Padova", "Comune di Venezia", "Provincia di Rovigo"}) {
		t.Errorf("by ente: %v", got)
	}
	do(browsertest.Type("#filtro", "mypivot"))
	shot, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "catalog-enti-filtered.png")
	if err := os.WriteFile(path, shot, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot of enti.html filtered by \"mypivot\": %s", path)

	if problems := consoleProblems(); len(problems) > 0 {
		t.Errorf("console:\n%s", strings.Join(problems, "\n"))
	}
}
