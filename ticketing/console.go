package ticketing

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
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

// DeleteConsoleSession ends a session.
func (t *Tx) DeleteConsoleSession(hash string) error {
	_, err := t.exec("console-session-delete", hash)
	return err
}

// OpenTickets lists the open cases, longest in their state first, without message counts.
func (s *Store) OpenTickets(ctx context.Context) ([]Ticket, error) {
	rows, err := s.r.QueryContext(ctx, s.query("console-queue"))
	if err != nil {
		return nil, fmt.Errorf("open tickets: %w", err)
	}
	defer rows.Close()
	list := []Ticket{}
	for rows.Next() {
		tk, err := scanTicket(rows)
		if err != nil {
			return nil, err
		}
		if IsOpen(tk.Kind, tk.State) {
			list = append(list, *tk)
		}
	}
	return list, rows.Err()
}
