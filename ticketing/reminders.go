package ticketing

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Kinds of scheduled mail recorded in schedule_sent.
const (
	SentReminder   = "reminder"   // a sollecito to the referent
	SentEscalation = "escalation" // the Region has sat on a case beyond its threshold
	SentStalled    = "stalled"    // the ente stayed silent after every reminder
	SentDigest     = "digest"     // the daily digest
)

// ErrAlreadySent is returned when a scheduled mail with the same key is already recorded.
var ErrAlreadySent = errors.New("already sent")

// Sent is one reminder, escalation or digest recorded as queued. (TicketID, Kind, Anchor, Seq)
// is unique.
type Sent struct {
	TicketID  string
	Kind      string
	Anchor    string // RFC 3339 UTC start of the wait, or the digest's date
	Seq       int
	At        time.Time
	MessageID string
	Rcpts     []string
}

// ThreadMessage is what scheduling needs of a ticket's message.
type ThreadMessage struct {
	MessageID  string
	Direction  string
	From       string
	Auto       string
	ReceivedAt time.Time
}

// Change is a ticket's creation or change of state.
type Change struct {
	TicketID string
	Event
}

// Anchor is how a wait's start is written in schedule_sent.
func Anchor(t time.Time) string { return ts(t) }

// RecordSent records a scheduled mail; it returns ErrAlreadySent when its key is taken, so the
// caller's transaction (which also queued the mail) is rolled back.
func (t *Tx) RecordSent(s Sent) error {
	rc, _ := json.Marshal(nonNil(s.Rcpts))
	res, err := t.exec("schedule-sent-insert", s.TicketID, s.Kind, s.Anchor, s.Seq, ts(s.At), s.MessageID, string(rc))
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("record %s: %w", s.Kind, err)
	} else if n == 0 {
		return fmt.Errorf("%s %s #%d of %s: %w", s.Kind, s.TicketID, s.Seq, s.Anchor, ErrAlreadySent)
	}
	return nil
}

// SentFor lists the scheduled mail recorded for a ticket, oldest first.
func (t *Tx) SentFor(ticketID string) ([]Sent, error) {
	rows, err := t.query("schedule-sent-of-ticket", ticketID)
	if err != nil {
		return nil, fmt.Errorf("scheduled mail of %s: %w", ticketID, err)
	}
	defer rows.Close()
	var list []Sent
	for rows.Next() {
		s, err := scanSent(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, s)
	}
	return list, rows.Err()
}

// LastSent returns the newest scheduled mail of a kind; ok is false when there is none.
func (t *Tx) LastSent(kind string) (s Sent, ok bool, err error) {
	s, err = scanSent(t.row("schedule-sent-last", kind))
	if errors.Is(err, sql.ErrNoRows) {
		return Sent{}, false, nil
	}
	if err != nil {
		return Sent{}, false, fmt.Errorf("last %s: %w", kind, err)
	}
	return s, true, nil
}

// LastSentOf is the latest scheduled mail of a kind recorded for a ticket; ok is false when
// there is none.
func (t *Tx) LastSentOf(ticketID, kind string) (s Sent, ok bool, err error) {
	s, err = scanSent(t.row("schedule-sent-last-of-ticket", ticketID, kind))
	if errors.Is(err, sql.ErrNoRows) {
		return Sent{}, false, nil
	}
	if err != nil {
		return Sent{}, false, fmt.Errorf("last %s of %s: %w", kind, ticketID, err)
	}
	return s, true, nil
}

func scanSent(r scanner) (Sent, error) {
	var s Sent
	var at, rc string
	if err := r.Scan(&s.TicketID, &s.Kind, &s.Anchor, &s.Seq, &at, &s.MessageID, &rc); err != nil {
		return s, err
	}
	s.At = parseTS(at)
	_ = json.Unmarshal([]byte(rc), &s.Rcpts)
	return s, nil
}

// AllTickets lists every ticket, oldest first, inside the transaction.
func (t *Tx) AllTickets() ([]Ticket, error) {
	rows, err := t.query("ticket-list")
	if err != nil {
		return nil, fmt.Errorf("list tickets: %w", err)
	}
	defer rows.Close()
	var list []Ticket
	for rows.Next() {
		tk, err := scanTicket(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, *tk)
	}
	return list, rows.Err()
}

// Thread lists a ticket's messages in order of arrival, in and out.
func (t *Tx) Thread(ticketID string) ([]ThreadMessage, error) {
	rows, err := t.query("schedule-thread", ticketID)
	if err != nil {
		return nil, fmt.Errorf("thread of %s: %w", ticketID, err)
	}
	defer rows.Close()
	var list []ThreadMessage
	for rows.Next() {
		var m ThreadMessage
		var at string
		if err := rows.Scan(&m.MessageID, &m.Direction, &m.From, &m.Auto, &at); err != nil {
			return nil, err
		}
		m.ReceivedAt = parseTS(at)
		list = append(list, m)
	}
	return list, rows.Err()
}

// ChangesSince lists the tickets created or moved after since, up to until.
func (t *Tx) ChangesSince(since, until time.Time) ([]Change, error) {
	rows, err := t.query("schedule-changes-since", ts(since), ts(until))
	if err != nil {
		return nil, fmt.Errorf("changes since %s: %w", since, err)
	}
	defer rows.Close()
	var list []Change
	for rows.Next() {
		var c Change
		var at string
		if err := rows.Scan(&c.TicketID, &at, &c.Type, &c.By, &c.Text); err != nil {
			return nil, err
		}
		c.At = parseTS(at)
		list = append(list, c)
	}
	return list, rows.Err()
}

// View runs fn in a read-only transaction, a consistent snapshot that never takes the write
// lock, and always rolls it back: for reports and dry runs.
func (s *Store) View(ctx context.Context, fn func(*Tx) error) error {
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("begin read: %w", err)
	}
	defer tx.Rollback()
	return fn(&Tx{s: s, tx: tx, read: true})
}
