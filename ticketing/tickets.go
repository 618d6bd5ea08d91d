package ticketing

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Ente identifies the public body a case is about.
type Ente struct {
	Name          string `json:"name"`
	CodiceFiscale string `json:"codice_fiscale"`
	CodiceIPA     string `json:"codice_ipa"`
}

// Ticket is one case.
type Ticket struct {
	ID         string    `json:"id"`
	Kind       string    `json:"kind"`
	State      string    `json:"state"`
	WaitingOn  string    `json:"waiting_on"`
	Subject    string    `json:"subject"`
	Requester  string    `json:"requester"`
	Ente       Ente      `json:"ente"`
	Services   []string  `json:"services"`
	Assignee   string    `json:"assignee"`
	FlagKind   FlagKind  `json:"flag_kind"` // what code acts on; FlagNone when not flagged
	Flag       string    `json:"flag"`      // the flag's text, for people
	StateSince time.Time `json:"state_since"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
	Messages   int       `json:"messages"`
}

// Message is one mail in or out, as recorded.
type Message struct {
	ID         int64     `json:"-"`
	TicketID   string    `json:"-"`
	Direction  string    `json:"direction"` // in | out
	MessageID  string    `json:"message_id"`
	Digest     string    `json:"-"`
	Blob       string    `json:"blob,omitempty"`
	From       string    `json:"from"`
	To         []string  `json:"to"`
	Subject    string    `json:"subject"`
	Date       time.Time `json:"date"`
	Auto       string    `json:"auto,omitempty"`
	Quarantine string    `json:"quarantine,omitempty"` // why it is held, for people

	QuarantineKind QuarantineKind `json:"quarantine_kind,omitempty"`
	Mailboxes      []string       `json:"mailboxes"`
	ReceivedAt     time.Time      `json:"-"`
}

// Event is one thing that happened to a ticket. Text is for people; an event that code reads
// back carries what it needs in Kind, Count and Window.
type Event struct {
	At     time.Time     `json:"at"`
	Type   string        `json:"type"`
	By     string        `json:"by"`
	Text   string        `json:"text"`
	Kind   string        `json:"kind,omitempty"`
	Count  int           `json:"count,omitempty"`
	Window time.Duration `json:"window,omitempty"`
}

// Event types.
const (
	EventCreated  = "created"
	EventMessage  = "message"
	EventReply    = "reply"
	EventState    = "state"
	EventNote     = "note"
	EventAssign   = "assign"
	EventFlag     = "flag"
	EventAuto     = "auto"
	EventLimited  = "rate_limited"
	EventSecurity = "security"
	EventSent     = "sent"
	EventFailed   = "send_failed"
)

// MailboxState returns the UIDVALIDITY and last processed UID of a watched mailbox; ok is false
// the very first time.
func (t *Tx) MailboxState(name string) (uidValidity, lastUID uint32, ok bool, err error) {
	err = t.row("mailbox-get", name).Scan(&uidValidity, &lastUID)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, false, nil
	}
	if err != nil {
		return 0, 0, false, fmt.Errorf("mailbox %s state: %w", name, err)
	}
	return uidValidity, lastUID, true, nil
}

// SetMailboxState records where a watcher stands.
func (t *Tx) SetMailboxState(name string, uidValidity, lastUID uint32) error {
	_, err := t.exec("mailbox-set", name, uidValidity, lastUID)
	return err
}

// FindMessage returns the record of a message already seen (same Message-ID and content), or
// ErrNotFound.
func (t *Tx) FindMessage(messageID, digest string) (id int64, ticketID string, err error) {
	err = t.row("message-find", messageID, digest).Scan(&id, &ticketID)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, "", ErrNotFound
	}
	if err != nil {
		return 0, "", fmt.Errorf("find message %s: %w", messageID, err)
	}
	return id, ticketID, nil
}

// AddCopy records that a message was found in a mailbox at a UID.
func (t *Tx) AddCopy(message int64, mailbox string, uidValidity, uid uint32) error {
	_, err := t.exec("copy-insert", message, mailbox, uidValidity, uid)
	return err
}

// AddMessage records a message and returns its row id.
func (t *Tx) AddMessage(m *Message) (int64, error) {
	if err := checkQuarantine(m); err != nil {
		return 0, err
	}
	to, _ := json.Marshal(nonNil(m.To))
	date := ""
	if !m.Date.IsZero() {
		date = ts(m.Date)
	}
	res, err := t.exec("message-insert", m.TicketID, m.Direction, m.MessageID, m.Digest, m.Blob, m.From,
		string(to), m.Subject, date, m.Auto, m.Quarantine, string(m.QuarantineKind), ts(m.ReceivedAt))
	if err != nil {
		return 0, err
	}
	m.ID, err = res.LastInsertId()
	return m.ID, err
}

// TicketByMessageID returns the ticket holding a message with that Message-ID, or ErrNotFound.
func (t *Tx) TicketByMessageID(messageID string) (string, error) {
	var id string
	err := t.row("ticket-by-message-id", messageID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("ticket of message %s: %w", messageID, err)
	}
	return id, nil
}

// OpenTicketForEnte returns the newest open ticket of an ente, matched by codice fiscale or IPA
// code, or ErrNotFound.
func (t *Tx) OpenTicketForEnte(kind, cf, ipa string) (string, error) {
	rows, err := t.query("ticket-open-by-ente", cf, cf, ipa, ipa)
	if err != nil {
		return "", fmt.Errorf("tickets of ente: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, k, state string
		if err := rows.Scan(&id, &k, &state); err != nil {
			return "", err
		}
		if k == kind && IsOpen(k, state) {
			return id, nil
		}
	}
	if err := rows.Err(); err != nil {
		return "", err
	}
	return "", ErrNotFound
}

// Ticket reads a ticket inside the transaction.
func (t *Tx) Ticket(id string) (*Ticket, error) {
	return scanTicket(t.row("ticket-get", id))
}

// NewTicket opens a case and numbers it PREFIX-YEAR-NNNNN, the year taken in loc.
func (t *Tx) NewTicket(kind, subject, requester, by string, now time.Time, loc *time.Location) (*Ticket, error) {
	prefix := "INT"
	if kind == KindQualification {
		prefix = "QUA"
	}
	year := now.In(loc).Year()
	var n int
	if err := t.row("seq-next", prefix, year).Scan(&n); err != nil {
		return nil, fmt.Errorf("number ticket: %w", err)
	}
	tk := &Ticket{
		ID: fmt.Sprintf("%s-%d-%05d", prefix, year, n), Kind: kind, State: StateAwaitingDocuments,
		Subject: subject, Requester: requester, StateSince: now, CreatedAt: now, UpdatedAt: now,
		Services: []string{},
	}
	tk.WaitingOn = WaitingOn(kind, tk.State)
	if _, err := t.exec("ticket-insert", tk.ID, kind, tk.State, subject, requester, ts(now), ts(now), ts(now)); err != nil {
		return nil, err
	}
	if t.opened == nil {
		t.opened = map[string][]Form{}
	}
	t.opened[tk.ID] = []Form{}
	return tk, t.AddEvent(tk.ID, Event{At: now, Type: EventCreated, By: by, Text: subject})
}

// AddEvent appends an event to a ticket and marks it updated (the trigger events_touch_ticket).
func (t *Tx) AddEvent(ticketID string, e Event) error {
	_, err := t.exec("event-insert", ticketID, ts(e.At), e.Type, e.By, e.Text, e.Kind, e.Count, int64(e.Window/time.Second))
	return err
}

// SetState moves a ticket to another state if its life cycle allows it, recording why and by whom.
func (t *Tx) SetState(id, to, by, reason string, now time.Time) error {
	tk, err := t.Ticket(id)
	if err != nil {
		return err
	}
	if err := CheckTransition(tk.Kind, tk.State, to); err != nil {
		return err
	}
	if _, err := t.exec("ticket-set-state", to, ts(now), ts(now), id); err != nil {
		return err
	}
	text := tk.State + " → " + to
	if reason != "" {
		text += ": " + reason
	}
	return t.AddEvent(id, Event{At: now, Type: EventState, By: by, Text: text})
}

// SetEnte records what the forms say of the ente and the services wanted.
func (t *Tx) SetEnte(id string, e Ente, services []string, now time.Time) error {
	sv, _ := json.Marshal(nonNil(services))
	_, err := t.exec("ticket-set-ente", e.Name, e.CodiceFiscale, e.CodiceIPA, string(sv), ts(now), id)
	return err
}

// SetAssignee gives a ticket to a member of staff.
func (t *Tx) SetAssignee(id, assignee, by string, now time.Time) error {
	if _, err := t.exec("ticket-set-assignee", assignee, ts(now), id); err != nil {
		return err
	}
	return t.AddEvent(id, Event{At: now, Type: EventAssign, By: by, Text: assignee})
}

// Ticket reads one ticket.
func (s *Store) Ticket(ctx context.Context, id string) (*Ticket, error) {
	return scanTicket(s.r.QueryRowContext(ctx, s.query("ticket-get"), id))
}

// Tickets lists every ticket, oldest first.
func (s *Store) Tickets(ctx context.Context) ([]Ticket, error) {
	rows, err := s.r.QueryContext(ctx, s.query("ticket-list"))
	if err != nil {
		return nil, fmt.Errorf("list tickets: %w", err)
	}
	defer rows.Close()
	list := []Ticket{}
	for rows.Next() {
		tk, err := scanTicket(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, *tk)
	}
	return list, rows.Err()
}

// Events lists a ticket's events in order.
func (s *Store) Events(ctx context.Context, id string) ([]Event, error) {
	rows, err := s.r.QueryContext(ctx, s.query("event-list"), id)
	if err != nil {
		return nil, fmt.Errorf("events of %s: %w", id, err)
	}
	defer rows.Close()
	list := []Event{}
	for rows.Next() {
		var e Event
		var at string
		var window int64
		if err := rows.Scan(&at, &e.Type, &e.By, &e.Text, &e.Kind, &e.Count, &window); err != nil {
			return nil, err
		}
		e.At, e.Window = parseTS(at), time.Duration(window)*time.Second
		list = append(list, e)
	}
	return list, rows.Err()
}

// Messages lists a ticket's messages in order of arrival.
func (s *Store) Messages(ctx context.Context, id string) ([]Message, error) {
	return s.messages(ctx, "message-list", id)
}

// Quarantined lists the messages held for a person.
func (s *Store) Quarantined(ctx context.Context) ([]Message, error) {
	return s.messages(ctx, "quarantine-list")
}

func (s *Store) messages(ctx context.Context, query string, args ...any) ([]Message, error) {
	rows, err := s.r.QueryContext(ctx, s.query(query), args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", query, err)
	}
	defer rows.Close()
	list := []Message{}
	for rows.Next() {
		var m Message
		var to, date, boxes string
		if err := rows.Scan(&m.ID, &m.Direction, &m.MessageID, &m.From, &to, &m.Subject, &date, &m.Auto, &m.Quarantine, &m.QuarantineKind, &m.Blob, &boxes); err != nil {
			return nil, err
		}
		_ = json.Unmarshal([]byte(to), &m.To)
		m.Date = parseTS(date)
		m.Mailboxes = []string{}
		if boxes != "" {
			m.Mailboxes = strings.Split(boxes, ",")
		}
		list = append(list, m)
	}
	return list, rows.Err()
}

type scanner interface{ Scan(...any) error }

func scanTicket(r scanner) (*Ticket, error) {
	var tk Ticket
	var services, since, created, updated string
	err := r.Scan(&tk.ID, &tk.Kind, &tk.State, &tk.Subject, &tk.Requester, &tk.Ente.Name, &tk.Ente.CodiceFiscale,
		&tk.Ente.CodiceIPA, &services, &tk.Assignee, &tk.FlagKind, &tk.Flag, &since, &created, &updated, &tk.Messages)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("read ticket: %w", err)
	}
	tk.Services = []string{}
	_ = json.Unmarshal([]byte(services), &tk.Services)
	tk.StateSince, tk.CreatedAt, tk.UpdatedAt = parseTS(since), parseTS(created), parseTS(updated)
	tk.WaitingOn = WaitingOn(tk.Kind, tk.State)
	return &tk, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// CopiesIn counts the messages recorded from a mailbox.
func (s *Store) CopiesIn(ctx context.Context, mailbox string) (int, error) {
	var n int
	if err := s.r.QueryRowContext(ctx, s.query("copies-count"), mailbox).Scan(&n); err != nil {
		return 0, fmt.Errorf("count copies in %s: %w", mailbox, err)
	}
	return n, nil
}

// WaitQuiet waits until each named mailbox has recorded at least the given number of messages
// and the outbox holds nothing due (the demo, and tests of a running daemon).
func (s *Store) WaitQuiet(ctx context.Context, copies map[string]int, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		ok := true
		for name, n := range copies {
			got, err := s.CopiesIn(ctx, name)
			if err != nil {
				return err
			}
			if got < n {
				ok = false
			}
		}
		if ok {
			if _, pending, err := s.NextDue(ctx); err != nil {
				return err
			} else if !pending {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("mailbot did not settle within %s", timeout)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// Assignees lists the distinct assignees of all tickets.
func (t *Tx) Assignees() ([]string, error) {
	rows, err := t.query("assignee-list")
	if err != nil {
		return nil, fmt.Errorf("assignees: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// RenameAssignee rewrites an assignee on every ticket (resolving an old, unchecked one).
func (t *Tx) RenameAssignee(from, to string) error {
	_, err := t.exec("assignee-rename", to, from)
	return err
}
