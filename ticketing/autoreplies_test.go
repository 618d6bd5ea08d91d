package ticketing

import (
	"context"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// TestAutoReplyCountsAtWindowEdges: the caps count, for a recipient, a domain or every reply,
// exactly the replies after an instant, at every instant around each reply (on it, a
// nanosecond before, after); a reply whose clock stepped back behind the one before it is
// counted at least as long as it should be, never less: a cap then holds a reply it need not
// hold, and never lets one through too many.
func TestAutoReplyCountsAtWindowEdges(t *testing.T) {
	for _, order := range []string{"in order", "clock stepping back"} {
		t.Run(order, func(t *testing.T) {
			s, err := Open(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			rng := rand.New(rand.NewPCG(17, 1))
			start := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
			at := start
			var sent []AutoReply
			rcpts := []string{"a@one.example", "b@one.example", "c@two.example"}
			senders := []string{"one.example", "two.example", "three.example", ""}
			for range 60 {
				// Several replies share an instant; some go back (another writer's older clock).
				at = at.Add(time.Duration(rng.IntN(3)) * time.Minute)
				when := at
				if order != "in order" && rng.IntN(4) == 0 {
					when = at.Add(-time.Duration(rng.IntN(5)) * time.Minute)
				}
				r := rcpts[rng.IntN(len(rcpts))]
				sent = append(sent, AutoReply{Rcpt: r, RcptDomain: r[strings.IndexByte(r, '@')+1:],
					SenderDomain: senders[rng.IntN(len(senders))], At: when})
			}
			err = s.Update(context.Background(), func(tx *Tx) error {
				for _, r := range sent {
					if err := tx.AddAutoReply(r); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			var edges []time.Time
			for _, r := range sent {
				edges = append(edges, r.At.Add(-time.Nanosecond), r.At, r.At.Add(time.Nanosecond))
			}
			edges = append(edges, start.Add(-time.Hour), at.Add(time.Hour))
			type key struct{ kind, key string }
			keys := []key{{tallyAll, ""}, {tallyDomain, "one.example"}, {tallyDomain, "two.example"}, {tallyDomain, "three.example"}}
			for _, r := range rcpts {
				keys = append(keys, key{tallyRcpt, r})
			}
			err = s.Update(context.Background(), func(tx *Tx) error {
				for _, k := range keys {
					for _, since := range edges {
						exact := 0
						for _, r := range sent {
							in := k.kind == tallyAll || k.kind == tallyRcpt && r.Rcpt == k.key ||
								k.kind == tallyDomain && (r.SenderDomain == k.key || r.RcptDomain == k.key)
							if in && r.At.After(since) {
								exact++
							}
						}
						n, err := tx.autoRepliesSince(k.kind, k.key, since)
						if err != nil {
							return err
						}
						if n < exact || order == "in order" && n != exact {
							t.Errorf("%s %q after %s: counted %d, %d were sent", k.kind, k.key, since.Format(time.RFC3339Nano), n, exact)
						}
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestAutoReplyTallyMigration: the replies counted before the tallies (one row per reply) still
// count, per recipient, per domain and in all, once the database is upgraded.
func TestAutoReplyTallyMigration(t *testing.T) {
	dir := t.TempDir()
	db := dbBefore(t, dir, "_auto_reply_tally.sql")
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	for _, r := range []struct {
		rcpt, sender, domain string
		ago                  time.Duration
	}{
		{"a@one.example", "one.example", "one.example", 2 * time.Hour},
		{"a@one.example", "two.example", "one.example", 30 * time.Minute},
		{"b@two.example", "two.example", "two.example", 20 * time.Minute},
		{"a@one.example", "", "", 10 * time.Minute}, // written before the domains were kept
	} {
		if _, err := db.Exec(`INSERT INTO auto_replies (rcpt, at, sender_domain, rcpt_domain) VALUES (?, ?, ?, ?)`,
			r.rcpt, ts(now.Add(-r.ago)), r.sender, r.domain); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	hour := now.Add(-time.Hour)
	err = s.Update(context.Background(), func(tx *Tx) error {
		for _, c := range []struct {
			what string
			got  func() (int, error)
			want int
		}{
			{"to a@one.example in the hour", func() (int, error) { return tx.AutoRepliesSince("a@one.example", hour) }, 2},
			{"to a@one.example in the day", func() (int, error) { return tx.AutoRepliesSince("a@one.example", now.Add(-24*time.Hour)) }, 3},
			{"in all in the hour", func() (int, error) { return tx.AutoRepliesTotalSince(hour) }, 3},
			{"of one.example in the hour", func() (int, error) { return tx.AutoRepliesDomainSince("one.example", hour) }, 1},
			{"of two.example in the hour", func() (int, error) { return tx.AutoRepliesDomainSince("two.example", hour) }, 2},
		} {
			n, err := c.got()
			if err != nil {
				return err
			}
			if n != c.want {
				t.Errorf("replies %s after the migration: %d, want %d", c.what, n, c.want)
			}
		}
		// The next reply counts on from the migrated ones.
		if err := tx.AddAutoReply(AutoReply{Rcpt: "a@one.example", RcptDomain: "one.example", SenderDomain: "one.example", At: now}); err != nil {
			return err
		}
		if n, err := tx.AutoRepliesDomainSince("one.example", hour); err != nil || n != 2 {
			t.Errorf("replies of one.example in the hour after one more: %d (%v), want 2", n, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
