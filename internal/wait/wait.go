// Package wait is the one way tests wait for something another goroutine or process does: poll
// a condition until it holds, and fail, never hang, once a deadline has passed.
package wait

import (
	"testing"
	"time"
)

// Timeout is how long For waits. It only matters when a test fails, so it is generous enough
// for a loaded 2-core machine running other tests beside this one.
const Timeout = 30 * time.Second

// every is the polling interval.
const every = 20 * time.Millisecond

// For polls cond until it holds; after Timeout it fails t, naming what it waited for.
func For(t testing.TB, what string, cond func() bool) {
	t.Helper()
	State(t, Timeout, func() (bool, string) { return cond(), what })
}

// State polls cond until it reports done; after timeout it fails t with what cond said last
// (what is still missing).
func State(t testing.TB, timeout time.Duration, cond func() (done bool, state string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		done, state := cond()
		if done {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("not reached within %s: %s", timeout, state)
		}
		time.Sleep(every)
	}
}
