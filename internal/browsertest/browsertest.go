// Package browsertest starts the headless Chromium the browser tests drive (catalog pages,
// console), with the flags this machine's closed network needs.
package browsertest

import (
	"context"
	"os"
	"os/exec"
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
