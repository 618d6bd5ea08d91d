package ticketing

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Messages not acted on because their sender is not believed wait for a person, one item each
// (mailbot/senders.go records them; the console lists them first on the case's page).
const (
	SenderDoubtStranger  = "stranger"  // from a sender the case does not name
	SenderDoubtUntrusted = "untrusted" // from a sender whose identity did not hold
)

// SenderDoubt is a message of a case waiting for a person because of its sender.
type SenderDoubt struct {
	ID         int64
	From       string
	Subject    string
	Date       time.Time
	ReceivedAt time.Time
	Kind       string // SenderDoubt*
}

// MarkSenderDoubt records that message id waits for a person because of its sender (kind), or
// that it no longer does (kind "").
func (t *Tx) MarkSenderDoubt(id int64, kind string) error {
	_, err := t.exec("sender-doubt-set", id, kind)
	return err
}

// SenderDoubt reads message id of ticket, still waiting because of its sender; ErrNotFound if
// it is not the ticket's or no longer waits.
func (t *Tx) SenderDoubt(ticketID string, id int64) (SenderDoubt, error) {
	d := SenderDoubt{ID: id}
	err := t.row("sender-doubt-get", id, ticketID).Scan(&d.From, &d.Subject, &d.Kind)
	if errors.Is(err, sql.ErrNoRows) || err == nil && d.Kind == "" {
		return d, fmt.Errorf("message %d of %s waiting for a person: %w", id, ticketID, ErrNotFound)
	}
	return d, err
}

// SenderDoubts lists the messages of a ticket waiting for a person because of their sender,
// oldest first.
func (s *Store) SenderDoubts(ctx context.Context, ticketID string) ([]SenderDoubt, error) {
	rows, err := s.r.QueryContext(ctx, s.query("sender-doubts-of-case"), ticketID)
	if err != nil {
		return nil, fmt.Errorf("sender doubts of %s: %w", ticketID, err)
	}
	defer rows.Close()
	var out []SenderDoubt
	for rows.Next() {
		var d SenderDoubt
		var date, received string
		if err := rows.Scan(&d.ID, &d.From, &d.Subject, &date, &received, &d.Kind); err != nil {
			return nil, err
		}
		d.Date, d.ReceivedAt = parseTS(date), parseTS(received)
		out = append(out, d)
	}
	return out, rows.Err()
}

// SenderDoubtCounts counts the messages waiting because of their sender for each of the
// tickets ids (those without any are absent).
func (s *Store) SenderDoubtCounts(ctx context.Context, ids []string) (map[string]int, error) {
	return s.countsOf(ctx, "sender-doubt-counts", ids)
}

// SenderDoubtsLeft counts the messages of a ticket still waiting because of their sender.
func (t *Tx) SenderDoubtsLeft(ticketID string) (int, error) {
	var n int
	err := t.row("sender-doubt-left", ticketID).Scan(&n)
	return n, err
}
