package ticketing

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// A held mail is an automatic reply an hourly cap stopped: rendered and kept in the outbox
// (state "held") instead of thrown away, until a person releases it (queued again, within the
// caps) or drops it.

// HoldOutbox marks a mail just queued as held, with why (Italian, for staff).
func (t *Tx) HoldOutbox(id int64, why string) error {
	_, err := t.exec("held-set", why, id)
	return err
}

// scanHeld reads a held mail, and where its parts go back (Store.whole).
func scanHeld(r scanner) (m OutMail, parts string, err error) {
	var rcpts, created string
	if err := r.Scan(&m.ID, &m.TicketID, &m.MessageID, &m.Kind, &rcpts, &m.Raw, &parts, &m.LastError, &created); err != nil {
		return m, "", err
	}
	if err := json.Unmarshal([]byte(rcpts), &m.Rcpts); err != nil {
		return m, "", fmt.Errorf("held mail %d: recipients: %w", m.ID, err)
	}
	m.State, m.CreatedAt = "held", parseTS(created)
	return m, parts, nil
}

// HeldMail lists the held mail, oldest first; LastError says why each was held.
func (s *Store) HeldMail(ctx context.Context) ([]OutMail, error) {
	return s.heldList(ctx, "held-list")
}

// HeldMailOf lists the held mail of one ticket, oldest first.
func (s *Store) HeldMailOf(ctx context.Context, ticketID string) ([]OutMail, error) {
	return s.heldList(ctx, "held-list-ticket", ticketID)
}

func (s *Store) heldList(ctx context.Context, query string, args ...any) ([]OutMail, error) {
	rows, err := s.r.QueryContext(ctx, s.query(query), args...)
	if err != nil {
		return nil, fmt.Errorf("held mail (%s): %w", query, err)
	}
	defer rows.Close()
	list := []OutMail{}
	var parts []string
	for rows.Next() {
		m, at, err := scanHeld(rows)
		if err != nil {
			return nil, err
		}
		list, parts = append(list, m), append(parts, at)
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

// HeldCounts counts the held mail of each of the tickets ids (those without any are absent).
func (s *Store) HeldCounts(ctx context.Context, ids []string) (map[string]int, error) {
	return s.countsOf(ctx, "held-count-tickets", ids)
}

// countsOf runs a query that counts something per ticket among ids.
func (s *Store) countsOf(ctx context.Context, query string, ids []string) (map[string]int, error) {
	list, _ := json.Marshal(nonNil(ids))
	rows, err := s.r.QueryContext(ctx, s.query(query), string(list))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", query, err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var id string
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		out[id] = n
	}
	return out, rows.Err()
}

// HeldCount counts the held mail.
func (s *Store) HeldCount(ctx context.Context) (int, error) {
	var n int
	err := s.r.QueryRowContext(ctx, s.query("held-count")).Scan(&n)
	return n, err
}

// HeldCount counts the held mail inside a transaction (the digest's).
func (t *Tx) HeldCount() (int, error) {
	var n int
	err := t.row("held-count").Scan(&n)
	return n, err
}

// Held reads one held mail in the transaction; ErrNotFound if it is not held (any more).
func (t *Tx) Held(id int64) (OutMail, error) {
	m, parts, err := scanHeld(t.row("held-get", id))
	if errors.Is(err, sql.ErrNoRows) {
		return m, ErrNotFound
	}
	if err != nil {
		return m, err
	}
	// A part is read outside the transaction: it was committed with the mail that names it.
	m.Raw, err = t.s.whole(context.Background(), m.Raw, parts)
	return m, err
}

// ReleaseHeld queues a held mail for delivery now.
func (t *Tx) ReleaseHeld(id int64, now time.Time) error {
	_, err := t.exec("held-release", ts(now), id)
	return err
}

// DropHeld gives up a held mail for good, saying who and why in its record.
func (t *Tx) DropHeld(id int64, why string) error {
	_, err := t.exec("held-drop", why, id)
	return err
}
