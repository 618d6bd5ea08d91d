// Package browsertest starts the headless Chromium the browser tests drive (catalog pages,
// console), with the flags this machine's closed network needs.
package browsertest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Path finds a browser: the test is skipped without one, and fails without one in CI.
func Path(t testing.TB) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("no chromium in PATH: CI must install it (apt-get install -y chromium)")
	}
	t.Skip("no chromium in PATH (apt-get install -y chromium to run the browser test)")
	return ""
}

// Start runs headless Chromium for the test, for at most timeout, and returns the context of
// its first tab; the browser stops at the test's end.
func Start(t testing.TB, timeout time.Duration) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(Path(t)),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		// Without these Chromium keeps calling home, and a closed network refuses it by the dozen.
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-sync", true),
		// The pages scroll smoothly unless the reader asks for less motion; a scroll still
		// moving moves what the test is about to click.
		chromedp.Flag("force-prefers-reduced-motion", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	bctx, bcancel := chromedp.NewContext(actx)
	t.Cleanup(func() { bcancel(); acancel(); cancel() })
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return bctx
}

// WatchConsole collects the errors, exceptions and warnings the page logs from now on; the
// returned function stops watching (after letting late messages arrive) and returns them.
func WatchConsole(bctx context.Context) func() []string {
	ctx, stop := context.WithCancel(bctx)
	done := make(chan struct{})
	var problems []string
	messages := chromedp.Console(ctx)
	go func() {
		defer close(done)
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleException || m.Type == chromedp.ConsoleWarning {
				problems = append(problems, m.String()+" ("+m.URL+")")
			}
		}
	}()
	return func() []string {
		// Console messages arrive asynchronously: let the last ones in before judging.
		time.Sleep(300 * time.Millisecond)
		stop()
		<-done
		return problems
	}
}

// ArtifactDir is where screenshots go: $MAILBOT_ARTIFACTS (CI keeps it), else a temporary
// directory of the test.
func ArtifactDir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("MAILBOT_ARTIFACTS")
	if dir == "" {
		return t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// The actions below find elements by evaluating JavaScript in the page, never through
// chromedp's node tracking: that tracking races with a navigation (a query made while one
// document replaces another can wait for a node that no longer exists, until the test's
// deadline), which made the console's test hang about one run in five.

// StepTimeout bounds each waiting action, so a page that never shows what the test waits for
// fails that step, naming it, instead of using up the whole test's time.
const StepTimeout = 30 * time.Second

// shown is a JavaScript predicate: the element matching the selector exists and takes space.
func shown(sel string) string {
	return `(e => !!e && e.getClientRects().length > 0)(document.querySelector(` + strconv.Quote(sel) + `))`
}

// until evaluates the predicate until it is true or the step's time is up; an evaluation that
// fails or hangs (the page is being replaced) is tried again.
func until(what, predicate string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		ctx, cancel := context.WithTimeout(ctx, StepTimeout)
		defer cancel()
		for {
			// A page being replaced may never answer an evaluation sent to it: each try gets
			// its own short deadline, so the next goes to the new page.
			try, stop := context.WithTimeout(ctx, 2*time.Second)
			ok, err := chromedp.Evaluate[bool](predicate)(try, t)
			stop()
			if err == nil && ok {
				return nil
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("waiting for %s: %w", what, ctx.Err())
			case <-time.After(50 * time.Millisecond):
			}
		}
	})
}

// eval runs a statement in the page, for its effect.
func eval(js string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Evaluate[bool](js+`; true`)(ctx, t)
		return err
	})
}

// Shown waits until the current document shows an element matching the CSS selector.
func Shown(sel string) chromedp.Action[chromedp.Void] {
	return until(sel, shown(sel))
}

// Leads waits for the page to be replaced by a new document that shows sel, after action (a
// navigation, a click or key press that submits a form). The old document is marked first,
// so an element it also had does not count.
func Leads(action chromedp.Action[chromedp.Void], sel string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		eval(`window.__replaced = false`),
		action,
		until("a new page showing "+sel, `window.__replaced === undefined && document.readyState === 'complete' && `+shown(sel)),
	)
}

// Open loads url and waits until it shows sel.
func Open(url, sel string) chromedp.Action[chromedp.Void] {
	return Leads(chromedp.Navigate(url), sel)
}

// Click presses the mouse on the middle of the element matching sel, as a person would: what
// is drawn there gets the click. The element is scrolled into view at once, and the click
// waits until it stands still where it was measured (a scroll or a late layout moves it).
func Click(sel string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		if _, err := Shown(sel)(ctx, t); err != nil {
			return err
		}
		measure := `(e => { e.scrollIntoView({block: 'center', behavior: 'instant'}); const r = e.getBoundingClientRect();
			const x = r.x + r.width / 2, y = r.y + r.height / 2, hit = document.elementFromPoint(x, y);
			return hit && (hit === e || e.contains(hit)) ? [x, y] : []; })(document.querySelector(` + strconv.Quote(sel) + `))`
		var last []float64
		for {
			at, err := chromedp.Evaluate[[]float64](measure)(ctx, t)
			if err != nil {
				return fmt.Errorf("click %s: %w", sel, err)
			}
			if len(at) == 2 && slices.Equal(at, last) {
				_, err = chromedp.MouseClickXY(at[0], at[1])(ctx, t)
				return err
			}
			last = at
			select {
			case <-ctx.Done():
				return fmt.Errorf("click %s: it never stood still, uncovered: %w", sel, ctx.Err())
			case <-time.After(100 * time.Millisecond):
			}
		}
	})
}

// Type focuses the element matching sel and types keys into it, key by key.
func Type(sel, keys string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		if _, err := Shown(sel)(ctx, t); err != nil {
			return err
		}
		if _, err := eval(`(e => { e.scrollIntoView({block: 'center', behavior: 'instant'}); e.focus({preventScroll: true}); })(document.querySelector(`+strconv.Quote(sel)+`))`)(ctx, t); err != nil {
			return fmt.Errorf("focus %s: %w", sel, err)
		}
		_, err := chromedp.KeyEvent(keys)(ctx, t)
		return err
	})
}

// Do runs the actions in the tab of bctx; on failure the test stops, showing the address and
// text of the page it was on.
func Do(t testing.TB, bctx context.Context, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(bctx, 2*StepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		page, _ := chromedp.Run(bctx, chromedp.Evaluate[string](`location.href + "\n" + document.body.innerText`))
		t.Fatalf("%v; the page was:\n%.3000s", err, page)
	}
}
