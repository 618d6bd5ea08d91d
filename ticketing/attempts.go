package ticketing

import (
	"fmt"
	"time"
)

// CountAttempt records one more failed attempt at recording the message at uid of a mailbox,
// with its error, and returns how many there have been (restarts included).
func (t *Tx) CountAttempt(mailbox string, uidValidity, uid uint32, cause string) (int, error) {
	var n int
	if err := t.row("attempt-count", mailbox, uidValidity, uid, cause).Scan(&n); err != nil {
		return 0, fmt.Errorf("count attempt at %s uid %d: %w", mailbox, uid, err)
	}
	return n, nil
}

// ClearAttempts forgets the failed attempts at a message once it is recorded.
func (t *Tx) ClearAttempts(mailbox string, uidValidity, uid uint32) error {
	_, err := t.exec("attempt-clear", mailbox, uidValidity, uid)
	return err
}

// ClearAttemptsThrough forgets the failed attempts at the messages of a mailbox up to uid, once
// they are recorded (intake records in UID order, so none before uid is still to record).
func (t *Tx) ClearAttemptsThrough(mailbox string, uidValidity, uid uint32) error {
	_, err := t.exec("attempt-clear-through", mailbox, uidValidity, uid)
	return err
}

// MailQueuedSince counts the mail of a kind queued since a time.
func (t *Tx) MailQueuedSince(kind string, since time.Time) (int, error) {
	var n int
	if err := t.row("outbox-kind-count", kind, ts(since)).Scan(&n); err != nil {
		return 0, fmt.Errorf("count %s mail: %w", kind, err)
	}
	return n, nil
}

// QueuedByUs reports whether mailbot queued a mail with this Message-ID: its own mail come back.
func (t *Tx) QueuedByUs(messageID string) (bool, error) {
	var n int
	if err := t.row("outbox-has-message-id", messageID).Scan(&n); err != nil {
		return false, fmt.Errorf("find sent mail %s: %w", messageID, err)
	}
	return n > 0, nil
}
