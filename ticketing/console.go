package ticketing

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"mailbot/templates/say"
)

// The web console's sign-in links and sessions are kept as the SHA-256 of their tokens (the
// caller hashes): the database alone opens nothing.

// AddConsoleLink records a one-time sign-in link for a staff address, valid until expires, and
// forgets links already expired.
func (t *Tx) AddConsoleLink(hash, email string, expires, now time.Time) error {
	if _, err := t.exec("console-link-purge", ts(now)); err != nil {
		return err
	}
	_, err := t.exec("console-link-insert", hash, email, ts(expires))
	return err
}

// UseConsoleLink spends a sign-in link and returns its address; ErrNotFound if it does not
// exist, was used already or expired.
func (t *Tx) UseConsoleLink(hash string, now time.Time) (string, error) {
	var email string
	err := t.row("console-link-use", ts(now), hash, ts(now)).Scan(&email)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("use console link: %w", err)
	}
	return email, nil
}

// AddConsoleSession opens a session for a staff address, and forgets those idle longer than idle.
func (t *Tx) AddConsoleSession(hash, email string, now time.Time, idle time.Duration) error {
	if _, err := t.exec("console-session-purge", ts(now.Add(-idle))); err != nil {
		return err
	}
	_, err := t.exec("console-session-insert", hash, email, ts(now), ts(now))
	return err
}

// TouchConsoleSession returns the address of a session seen within idle, and marks it seen now;
// ErrNotFound if there is none.
func (t *Tx) TouchConsoleSession(hash string, now time.Time, idle time.Duration) (string, error) {
	var email string
	err := t.row("console-session-touch", ts(now), hash, ts(now.Add(-idle))).Scan(&email)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("console session: %w", err)
	}
	return email, nil
}

// ConsoleSession is a session as read, without marking it seen.
type ConsoleSession struct {
	Email             string
	Created, LastSeen time.Time
}

// ConsoleSession reads a session from the read pool; ErrNotFound if there is none. The console
// reads before it writes, so a request with an unknown cookie never takes the writer.
func (s *Store) ConsoleSession(ctx context.Context, hash string) (ConsoleSession, error) {
	var cs ConsoleSession
	var created, seen string
	err := s.r.QueryRowContext(ctx, s.query("console-session-get"), hash).Scan(&cs.Email, &created, &seen)
	if errors.Is(err, sql.ErrNoRows) {
		return cs, ErrNotFound
	}
	if err != nil {
		return cs, fmt.Errorf("console session: %w", err)
	}
	cs.Created, cs.LastSeen = parseTS(created), parseTS(seen)
	return cs, nil
}

// ConsoleLinkLive tells, from the read pool, whether a sign-in link exists unused and unexpired.
func (s *Store) ConsoleLinkLive(ctx context.Context, hash string, now time.Time) (bool, error) {
	var n int
	if err := s.r.QueryRowContext(ctx, s.query("console-link-live"), hash, ts(now)).Scan(&n); err != nil {
		return false, fmt.Errorf("console link: %w", err)
	}
	return n > 0, nil
}

// ConsoleSessionEmails lists the addresses that hold a session.
func (s *Store) ConsoleSessionEmails(ctx context.Context) ([]string, error) {
	rows, err := s.r.QueryContext(ctx, s.query("console-session-emails"))
	if err != nil {
		return nil, fmt.Errorf("console sessions: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var e string
		if err := rows.Scan(&e); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// EndConsoleSessions ends every session of an address and tells how many there were.
func (t *Tx) EndConsoleSessions(email string) (int64, error) {
	res, err := t.exec("console-session-delete-email", email)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// DeleteConsoleSession ends a session.
func (t *Tx) DeleteConsoleSession(hash string) error {
	_, err := t.exec("console-session-delete", hash)
	return err
}

// QueueQuery selects a page of the web console's queue.
type QueueQuery struct {
	Pairs         []string // "kind/state" of the cases shown
	Assignee      string   // "*" for anyone, "" for nobody
	Flagged       bool
	Words         []string // each must occur in ID, ente, codice fiscale, IPA, requester or subject
	Newest        bool     // newest in their state first, else longest waiting first
	Limit, Offset int
}

// Queue returns one page of the cases q selects, and how many it selects in all.
func (s *Store) Queue(ctx context.Context, q QueueQuery) ([]Ticket, int, error) {
	pairs, _ := json.Marshal(nonNil(q.Pairs))
	match := matchQuery(q.Words)
	flagged, newest := 0, 0
	if q.Flagged {
		flagged = 1
	}
	if q.Newest {
		newest = 1
	}
	var n int
	if err := s.r.QueryRowContext(ctx, s.query("console-queue-count"), string(pairs), q.Assignee, flagged, match).Scan(&n); err != nil {
		return nil, 0, fmt.Errorf("count queue: %w", err)
	}
	rows, err := s.r.QueryContext(ctx, s.query("console-queue-page"), string(pairs), q.Assignee, flagged, match, newest, q.Limit, q.Offset)
	if err != nil {
		return nil, 0, fmt.Errorf("queue: %w", err)
	}
	defer rows.Close()
	list := []Ticket{}
	for rows.Next() {
		tk, err := scanTicket(rows)
		if err != nil {
			return nil, 0, err
		}
		list = append(list, *tk)
	}
	return list, n, rows.Err()
}

// StateCounts counts the cases by kind and state: counts[kind][state].
func (s *Store) StateCounts(ctx context.Context) (map[string]map[string]int, error) {
	rows, err := s.r.QueryContext(ctx, s.query("console-state-counts"))
	if err != nil {
		return nil, fmt.Errorf("state counts: %w", err)
	}
	defer rows.Close()
	out := map[string]map[string]int{}
	for rows.Next() {
		var kind, state string
		var n int
		if err := rows.Scan(&kind, &state, &n); err != nil {
			return nil, err
		}
		if out[kind] == nil {
			out[kind] = map[string]int{}
		}
		out[kind][state] = n
	}
	return out, rows.Err()
}

// QuarantineQueue lists the messages kept outside any case and not dismissed, newest first.
func (s *Store) QuarantineQueue(ctx context.Context) ([]Message, error) {
	return s.messages(ctx, "console-quarantine")
}

// QuarantineOf lists the messages kept outside any case that are about ticket tk: from its
// requester, or naming it in their subject. A person decides whether each belongs to it.
func (s *Store) QuarantineOf(ctx context.Context, tk *Ticket) ([]Message, error) {
	return s.messages(ctx, "console-quarantine-of-case", tk.Requester, strings.ToUpper(tk.ID))
}

// PendingProposals counts the pending proposals of each of the tickets ids (those without any
// are absent).
func (s *Store) PendingProposals(ctx context.Context, ids []string) (map[string]int, error) {
	return s.countsOf(ctx, "console-proposal-counts", ids)
}

// quarantined returns the subject and sender of a message still in quarantine, or ErrNotFound.
func (t *Tx) quarantined(id int64) (subject, from string, err error) {
	err = t.row("console-quarantine-get", id).Scan(&subject, &from)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", ErrNotFound
	}
	return subject, from, err
}

// AttachQuarantined moves a message out of quarantine into a case, recording who did it.
func (t *Tx) AttachQuarantined(id int64, ticketID, by string, now time.Time) error {
	subject, _, err := t.quarantined(id)
	if err != nil {
		return err
	}
	if _, err := t.Ticket(ticketID); err != nil {
		return err
	}
	if _, err := t.exec("console-quarantine-attach", ticketID, id); err != nil {
		return err
	}
	return t.AddEvent(ticketID, Event{At: now, Type: EventMessage, By: by, Text: say.Text("quarantine.attached_event", subject)})
}

// OpenFromQuarantine opens a case for a message in quarantine (its subject, its sender as the
// requester) and moves the message into it.
func (t *Tx) OpenFromQuarantine(id int64, kind, by string, now time.Time, loc *time.Location) (*Ticket, error) {
	subject, from, err := t.quarantined(id)
	if err != nil {
		return nil, err
	}
	tk, err := t.NewTicket(kind, subject, from, by, now, loc)
	if err != nil {
		return nil, err
	}
	return tk, t.AttachQuarantined(id, tk.ID, by, now)
}

// DismissQuarantined takes a message off the quarantine list, keeping it with who dismissed it
// and when (in its quarantine reason, "scartato: ...").
func (t *Tx) DismissQuarantined(id int64, by string, now time.Time) error {
	_, _, err := t.quarantined(id)
	if err != nil {
		return err
	}
	_, err = t.exec("console-quarantine-dismiss", say.Text("quarantine.dismissed", by, ts(now)), id)
	return err
}

// matchQuery turns the words a person typed into an FTS5 query: every token of every word must
// start a token of the case ("venez" finds Venezia, "int-2026-00001" its case), and nothing
// typed is read as FTS5 syntax.
func matchQuery(words []string) string {
	var terms []string
	for _, w := range words {
		for _, tok := range strings.FieldsFunc(w, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
			terms = append(terms, `"`+tok+`"*`)
		}
	}
	return strings.Join(terms, " ")
}
