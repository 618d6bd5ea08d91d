package ticketing

import (
	"fmt"
	"time"
)

// AutoReply is one automatic mail to one recipient, as the rate limits count it.
type AutoReply struct {
	Rcpt         string // the per-recipient key (the caller decides how addresses fold)
	SenderDomain string // domain of the sender whose message is answered
	RcptDomain   string
	At           time.Time
}

// Kinds of key the automatic replies are tallied by (table auto_reply_tally).
const (
	tallyRcpt   = "rcpt"
	tallyDomain = "domain"
	tallyAll    = "all"
)

// AddAutoReply counts an automatic mail towards the rate limits: for its recipient, for every
// reply, and once for each domain among its sender's and its recipient's.
func (t *Tx) AddAutoReply(r AutoReply) error {
	if _, err := t.exec("auto-reply-tally-add", r.Rcpt, r.SenderDomain, r.RcptDomain, ts(r.At)); err != nil {
		return fmt.Errorf("count auto reply: %w", err)
	}
	return nil
}

// Tally asks for the automatic replies of one key after an instant (Tx.AutoReplyCounts).
type Tally struct {
	kind, key string
	since     time.Time
}

// RcptTally asks for the automatic replies to rcpt (a per-recipient key) after since.
func RcptTally(rcpt string, since time.Time) Tally { return Tally{tallyRcpt, rcpt, since} }

// AllTally asks for every automatic reply after since.
func AllTally(since time.Time) Tally { return Tally{tallyAll, "", since} }

// DomainTally asks for the automatic replies after since that answered a sender of domain or
// went to a recipient of domain.
func DomainTally(domain string, since time.Time) Tally { return Tally{tallyDomain, domain, since} }

// tallySlots is how many tallies one statement counts (auto-reply-tallies-since).
const tallySlots = 5

// AutoReplyCounts counts the automatic replies each tally asks for, in its order, five to a
// statement: the limits on one reply look at five counts, and each statement costs more to run
// than its two index seeks.
func (t *Tx) AutoReplyCounts(tallies ...Tally) ([]int, error) {
	out := make([]int, len(tallies))
	for start := 0; start < len(tallies); start += tallySlots {
		chunk := tallies[start:min(start+tallySlots, len(tallies))]
		args := make([]any, 0, 3*tallySlots)
		for i := range tallySlots {
			if i < len(chunk) && chunk[i].kind != "" {
				args = append(args, chunk[i].kind, chunk[i].key, ts(chunk[i].since))
			} else {
				args = append(args, "", "", "")
			}
		}
		if err := t.tallies(args, out[start:]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// tallies runs one auto-reply-tallies-since, each count into its slot of out.
func (t *Tx) tallies(args []any, out []int) error {
	rows, err := t.query("auto-reply-tallies-since", args...)
	if err != nil {
		return fmt.Errorf("count auto replies: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var i, n int
		if err := rows.Scan(&i, &n); err != nil {
			return fmt.Errorf("count auto replies: %w", err)
		}
		out[i-1] = n
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("count auto replies: %w", err)
	}
	return nil
}

// autoRepliesSince counts the automatic replies of one key after since, whatever their number
// (two index seeks: see the migration auto_reply_tally).
func (t *Tx) autoRepliesSince(kind, key string, since time.Time) (int, error) {
	n, err := t.AutoReplyCounts(Tally{kind, key, since})
	if err != nil {
		return 0, fmt.Errorf("%w (%s %s)", err, kind, key)
	}
	return n[0], nil
}

// AutoRepliesSince counts the automatic replies to rcpt (a per-recipient key) after since.
func (t *Tx) AutoRepliesSince(rcpt string, since time.Time) (int, error) {
	return t.autoRepliesSince(tallyRcpt, rcpt, since)
}

// AutoRepliesTotalSince counts every automatic reply after since.
func (t *Tx) AutoRepliesTotalSince(since time.Time) (int, error) {
	return t.autoRepliesSince(tallyAll, "", since)
}

// AutoRepliesDomainSince counts the automatic replies after since that answered a sender of
// domain or went to a recipient of domain.
func (t *Tx) AutoRepliesDomainSince(domain string, since time.Time) (int, error) {
	return t.autoRepliesSince(tallyDomain, domain, since)
}

// PruneAutoReplies forgets rate-limit records older than before.
func (t *Tx) PruneAutoReplies(before time.Time) error {
	_, err := t.exec("auto-reply-prune", ts(before))
	return err
}
