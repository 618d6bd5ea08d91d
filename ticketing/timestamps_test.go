package ticketing

import (
	"context"
	"testing"
	"time"
)

// TestWindowsAtWholeSeconds: the caps' windows count what happened after an instant, whatever
// fraction of a second either instant has. With RFC3339Nano text a reply at 10:00:05 exactly
// ("…:05Z") sorted after one at 10:00:05.5 ("…:05.5Z") and was counted in a window that had
// already left it behind.
func TestWindowsAtWholeSeconds(t *testing.T) {
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	at := time.Date(2026, 12, 7, 10, 0, 5, 0, time.UTC)
	for _, tc := range []struct {
		name      string
		sent      time.Time
		since     time.Time
		wantCount int
	}{
		{"sent on the second, window from half a second later", at, at.Add(500 * time.Millisecond), 0},
		{"sent half a second in, window from the second", at.Add(500 * time.Millisecond), at, 1},
		{"sent a nanosecond in, window from the second", at.Add(time.Nanosecond), at, 1},
		{"sent on the second, window from it", at, at, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rcpt := tc.name + "@example.org"
			var n int
			err := s.Update(context.Background(), func(tx *Tx) error {
				if err := tx.AddAutoReply(AutoReply{Rcpt: rcpt, At: tc.sent, RcptDomain: "example.org"}); err != nil {
					return err
				}
				var err error
				n, err = tx.AutoRepliesSince(rcpt, tc.since)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if n != tc.wantCount {
				t.Errorf("counted %d replies sent at %s after %s, want %d", n, tc.sent.Format(time.RFC3339Nano), tc.since.Format(time.RFC3339Nano), tc.wantCount)
			}
		})
	}
}
