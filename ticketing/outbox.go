package ticketing

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// OutMail is one rendered mail waiting in, or gone from, the outbox.
type OutMail struct {
	ID        int64
	TicketID  string
	MessageID string
	Kind      string
	From      string
	Rcpts     []string
	Raw       []byte
	// Parts are bytes Raw leaves out, stored once for every mail that carries them (Enqueue);
	// the Store's readers put them back, so Raw is whole wherever a mail is read.
	Parts     []Part
	Auto      bool // an automatic reply (its recipients are counted apart: AddAutoReply)
	Attempts  int
	State     string
	LastError string
	CreatedAt time.Time
	SentAt    time.Time

	// Broken says why a mail read could not be made whole (a part missing, or its bytes no
	// longer their sum: a damaged database); its Raw is nil. That mail only: the others are read.
	Broken error

	// plain: DueMail found no redacted copy, so MarkSent has none to put in the mail's place.
	plain bool
}

// A Part is bytes that many queued mails carry alike (a blank form, base64-encoded), stored
// once in outbox_parts: a backlog's replies were 32 KB each to write, and to copy again at the
// checkpoint, for 2 KB of their own. Content-addressed and never changed, so a mail sent again
// is the same bytes. Parts are never erased (retention and Forget clear mails, not parts): only
// bytes that carry nothing of a person may be one.
type Part struct {
	At   int    // where the part goes in its mail's Raw
	Sum  string // hex sha256 of Data
	Data []byte
}

// NewPart makes the part of data, to be placed with At.
func NewPart(data []byte) Part {
	h := sha256.Sum256(data)
	return Part{Sum: hex.EncodeToString(h[:]), Data: data}
}

// Enqueue queues a rendered mail, due at once. Its Message-ID is unique: queuing the same mail
// twice fails rather than sending two.
func (t *Tx) Enqueue(m *OutMail, now time.Time) error {
	rc, _ := json.Marshal(m.Rcpts)
	res, err := t.exec("outbox-insert", m.TicketID, m.MessageID, m.Kind, m.From, string(rc), m.Auto, ts(now), ts(now))
	if err != nil {
		return err
	}
	if m.ID, err = res.LastInsertId(); err != nil {
		return err
	}
	var at strings.Builder
	prev := 0
	for i, p := range m.Parts {
		if p.At < prev || p.At > len(m.Raw) {
			return fmt.Errorf("outbox %s: part %d at %d outside its mail", m.MessageID, i, p.At)
		}
		prev = p.At
		if i > 0 {
			at.WriteByte(';')
		}
		fmt.Fprintf(&at, "%d:%s", p.At, p.Sum)
		if _, ok := t.s.parts.Load(p.Sum); ok {
			continue
		}
		if _, err := t.exec("outbox-part-insert", p.Sum, p.Data); err != nil {
			return err
		}
		t.AfterCommit(func() { t.s.parts.Store(p.Sum, p.Data) })
	}
	_, err = t.exec("outbox-body-insert", m.ID, m.Raw, at.String())
	return err
}

// whole is raw with the parts named by at ("offset:sum" pairs) put back.
func (s *Store) whole(ctx context.Context, raw []byte, at string) ([]byte, error) {
	if at == "" {
		return raw, nil
	}
	var parts []Part
	for pair := range strings.SplitSeq(at, ";") {
		off, sum, _ := strings.Cut(pair, ":")
		i, err := strconv.Atoi(off)
		if err != nil || i < 0 || i > len(raw) || len(parts) > 0 && i < parts[len(parts)-1].At {
			return nil, fmt.Errorf("outbox parts %q: bad offset %q", at, off)
		}
		data, err := s.part(ctx, sum)
		if err != nil {
			return nil, err
		}
		parts = append(parts, Part{At: i, Sum: sum, Data: data})
	}
	return Whole(raw, parts), nil
}

// Whole is raw with parts put back in their places (ascending).
func Whole(raw []byte, parts []Part) []byte {
	n := len(raw)
	for _, p := range parts {
		n += len(p.Data)
	}
	out, prev := make([]byte, 0, n), 0
	for _, p := range parts {
		out = append(append(out, raw[prev:p.At]...), p.Data...)
		prev = p.At
	}
	return append(out, raw[prev:]...)
}

// part is the stored part of sum, checked against it once and then kept: parts never change.
func (s *Store) part(ctx context.Context, sum string) ([]byte, error) {
	if d, ok := s.parts.Load(sum); ok {
		return d.([]byte), nil
	}
	var data []byte
	if err := s.r.QueryRowContext(ctx, s.query("outbox-part"), sum).Scan(&data); err != nil {
		return nil, fmt.Errorf("outbox part %s: %w", sum, err)
	}
	if NewPart(data).Sum != sum {
		return nil, fmt.Errorf("outbox part %s: its bytes do not match their sum", sum)
	}
	s.parts.Store(sum, data)
	return data, nil
}

// DueMail returns up to limit queued mails due at now.
func (s *Store) DueMail(ctx context.Context, now time.Time, limit int) ([]OutMail, error) {
	rows, err := s.r.QueryContext(ctx, s.query("outbox-due"), ts(now), limit)
	if err != nil {
		return nil, fmt.Errorf("due mail: %w", err)
	}
	defer rows.Close()
	var list []OutMail
	var parts []string
	for rows.Next() {
		var m OutMail
		var rc, at string
		var redacted bool
		if err := rows.Scan(&m.ID, &m.TicketID, &m.MessageID, &m.Kind, &m.From, &rc, &m.Raw, &at, &redacted, &m.Attempts); err != nil {
			return nil, err
		}
		parts = append(parts, at)
		if err := json.Unmarshal([]byte(rc), &m.Rcpts); err != nil {
			return nil, fmt.Errorf("outbox %d recipients: %w", m.ID, err)
		}
		m.plain = !redacted
		list = append(list, m)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	if err := s.wholeAll(ctx, list, parts); err != nil {
		return nil, err
	}
	return list, nil
}

// wholeAll puts back the parts of mails read (Store.whole), once their rows are closed: a part
// is read on a connection of the same pool. A mail that cannot be made whole is Broken; only
// the context ending stops the others.
func (s *Store) wholeAll(ctx context.Context, list []OutMail, parts []string) error {
	for i := range list {
		raw, err := s.whole(ctx, list[i].Raw, parts[i])
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil {
			raw, list[i].Broken = nil, fmt.Errorf("outbox %d: %w", list[i].ID, err)
		}
		list[i].Raw = raw
	}
	return nil
}

// NextDue returns when the next queued mail is due, or false when the queue is empty.
func (s *Store) NextDue(ctx context.Context) (time.Time, bool, error) {
	var next sql.NullString
	if err := s.r.QueryRowContext(ctx, s.query("outbox-next-at")).Scan(&next); err != nil {
		return time.Time{}, false, fmt.Errorf("next due mail: %w", err)
	}
	if !next.Valid {
		return time.Time{}, false, nil
	}
	return parseTS(next.String), true, nil
}

// MarkSent records that the SMTP server accepted a mail, replacing it with its redacted copy if
// it has one. A mail already recorded as sent is left as it is: a sender that stopped between
// recording its mails and forgetting its note of them records them again (MarkSentID).
func (t *Tx) MarkSent(m *OutMail, now time.Time) error {
	res, err := t.exec("outbox-sent", ts(now), m.ID)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return err
	}
	if !m.plain { // else one statement less in the writer for every mail sent
		if _, err := t.exec("outbox-redact", m.ID); err != nil {
			return err
		}
	}
	if m.TicketID == "" {
		return nil
	}
	return t.AddEvent(m.TicketID, Event{At: now, Type: EventSent, By: "mailbot", Text: m.Kind + " " + m.MessageID})
}

// Unclaim gives back the claims a sender took until lease and left: those mails are due at now.
// A mail claimed until lease and since retried or recorded is left alone (its next_at or state
// changed).
func (t *Tx) Unclaim(lease, now time.Time) error {
	_, err := t.exec("outbox-unclaim", ts(now), ts(lease))
	return err
}

// MarkSentID is MarkSent for a mail known only by its ID: one a sender noted as sent and
// stopped before recording.
func (t *Tx) MarkSentID(id int64, at time.Time) error {
	m := OutMail{ID: id}
	var redacted bool
	err := t.row("outbox-noted", id).Scan(&m.TicketID, &m.MessageID, &m.Kind, &redacted)
	if errors.Is(err, sql.ErrNoRows) {
		return nil // recorded already, or not queued any more
	}
	if err != nil {
		return fmt.Errorf("noted mail %d: %w", id, err)
	}
	m.plain = !redacted
	return t.MarkSent(&m, at)
}

// MarkRetry schedules another attempt after a temporary failure.
func (t *Tx) MarkRetry(m *OutMail, next time.Time, cause string) error {
	_, err := t.exec("outbox-retry", ts(next), cause, m.ID)
	return err
}

// MarkFailed gives up on a mail after a permanent failure, noting it on its ticket. A mail with
// a redacted copy keeps only that: it will not be sent, so its secrets have no reason to stay.
func (t *Tx) MarkFailed(m *OutMail, cause string, now time.Time) error {
	if _, err := t.exec("outbox-failed", cause, m.ID); err != nil {
		return err
	}
	if _, err := t.exec("outbox-redact", m.ID); err != nil {
		return err
	}
	if m.TicketID == "" {
		return nil
	}
	return t.AddEvent(m.TicketID, Event{At: now, Type: EventFailed, By: "mailbot", Text: m.Kind + ": " + cause})
}

// Outbox lists every outbox entry without its body, for reports and tests.
func (s *Store) Outbox(ctx context.Context) ([]OutMail, error) {
	rows, err := s.r.QueryContext(ctx, s.query("outbox-list"))
	if err != nil {
		return nil, fmt.Errorf("list outbox: %w", err)
	}
	defer rows.Close()
	var list []OutMail
	for rows.Next() {
		var m OutMail
		var rc, created, sent string
		if err := rows.Scan(&m.ID, &m.TicketID, &m.MessageID, &m.Kind, &m.From, &rc, &m.State, &m.Attempts, &m.LastError, &created, &sent); err != nil {
			return nil, err
		}
		_ = json.Unmarshal([]byte(rc), &m.Rcpts)
		m.CreatedAt, m.SentAt = parseTS(created), parseTS(sent)
		list = append(list, m)
	}
	return list, rows.Err()
}

// Claim takes a due mail for sending until lease: another sender (the CLI, a second process)
// will not pick it up meanwhile. It reports false if someone else took it first. The sender
// claims a flush's due mails in one transaction, and gives back those it did not try in the one
// that records the others sent (a claim with now = the lease it holds, lease = now).
func (t *Tx) Claim(m *OutMail, now, lease time.Time) (bool, error) {
	res, err := t.exec("outbox-claim", ts(lease), m.ID, ts(now))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// SentCopy returns what can be shown again of a mail mailbot queued: the masked copy when the
// mail carried secrets, else the mail itself; ErrNotFound when there is none (or retention
// emptied it).
func (s *Store) SentCopy(ctx context.Context, messageID string) ([]byte, error) {
	var raw []byte
	var parts string
	err := s.r.QueryRowContext(ctx, s.query("outbox-copy"), messageID).Scan(&raw, &parts)
	if errors.Is(err, sql.ErrNoRows) || err == nil && len(raw) == 0 {
		return nil, fmt.Errorf("sent mail %s: %w", messageID, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("sent mail %s: %w", messageID, err)
	}
	return s.whole(ctx, raw, parts)
}
