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

// autoRepliesSince counts the automatic replies of one key after since, whatever their number
// (two index seeks: see the migration auto_reply_tally).
func (t *Tx) autoRepliesSince(kind, key string, since time.Time) (int, error) {
	var n int
	if err := t.row("auto-reply-tally-since", kind, key, ts(since)).Scan(&n); err != nil {
		return 0, fmt.Errorf("count auto replies (%s %s): %w", kind, key, err)
	}
	return n, nil
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
