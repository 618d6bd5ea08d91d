package ticketing

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// Stats is what operators watch, read from the database in one snapshot: metrics are exported
// from it and `mailbot status` prints it.
type Stats struct {
	Mailboxes     []MailboxStats
	Outbox        []OutboxStats // per state and kind
	OldestQueued  time.Time     // creation of the oldest mail still queued; zero when none
	Schedule      []ScheduleStats
	Cases         []CaseStats
	Flagged       []FlagStats // open cases waiting for a person, by why
	DatabaseBytes int64
}

// FlagStats counts the open cases that carry one kind of flag: what waits for a person
// (doubtful readings to confirm, a message whose sender did not hold, a held reply…).
type FlagStats struct {
	Kind  FlagKind
	Count int
}

// MailboxStats counts the messages recorded from one watched mailbox.
type MailboxStats struct {
	Name        string
	Recorded    int // copies recorded (tickets, follow-ups and quarantined)
	Quarantined int
	LastUID     uint32
}

// OutboxStats counts queued, sent and failed mail of one kind.
type OutboxStats struct {
	State, Kind string
	Count       int
}

// ScheduleStats counts reminders, escalations and digests sent, with the last one's time.
type ScheduleStats struct {
	Kind  string
	Count int
	Last  time.Time
}

// CaseStats counts the cases of one kind in one state, with whose turn it is.
type CaseStats struct {
	Kind, State, WaitingOn string
	Count                  int
}

// Stats reads the operators' figures in one read transaction.
func (s *Store) Stats(ctx context.Context) (Stats, error) {
	var st Stats
	tx, err := s.r.BeginTx(ctx, nil)
	if err != nil {
		return st, fmt.Errorf("stats: %w", err)
	}
	defer tx.Rollback()
	scan := func(name string, row func(scanner) error) error {
		rows, err := tx.QueryContext(ctx, s.query(name))
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		defer rows.Close()
		for rows.Next() {
			if err := row(rows); err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
		}
		return rows.Err()
	}
	err = scan("stats-mailboxes", func(r scanner) error {
		var m MailboxStats
		err := r.Scan(&m.Name, &m.Recorded, &m.Quarantined, &m.LastUID)
		st.Mailboxes = append(st.Mailboxes, m)
		return err
	})
	if err == nil {
		err = scan("stats-outbox", func(r scanner) error {
			var o OutboxStats
			var oldest string
			if err := r.Scan(&o.State, &o.Kind, &o.Count, &oldest); err != nil {
				return err
			}
			if t := parseTS(oldest); o.State == "queued" && !t.IsZero() && (st.OldestQueued.IsZero() || t.Before(st.OldestQueued)) {
				st.OldestQueued = t
			}
			st.Outbox = append(st.Outbox, o)
			return nil
		})
	}
	if err == nil {
		err = scan("stats-schedule", func(r scanner) error {
			var sc ScheduleStats
			var last string
			err := r.Scan(&sc.Kind, &sc.Count, &last)
			sc.Last = parseTS(last)
			st.Schedule = append(st.Schedule, sc)
			return err
		})
	}
	if err == nil {
		err = scan("stats-tickets", func(r scanner) error {
			var c CaseStats
			err := r.Scan(&c.Kind, &c.State, &c.Count)
			c.WaitingOn = WaitingOn(c.Kind, c.State)
			st.Cases = append(st.Cases, c)
			return err
		})
	}
	if err == nil {
		st.Flagged, err = flagged(tx, s.query("stats-flags"))
	}
	if err != nil {
		return st, err
	}
	if err := tx.QueryRowContext(ctx, "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()").Scan(&st.DatabaseBytes); err != nil {
		return st, fmt.Errorf("database size: %w", err)
	}
	return st, nil
}

// FlaggedCases counts the open cases waiting for a person, by why: the digest's figures, read
// as /metrics reads them (Stats.Flagged).
func (t *Tx) FlaggedCases() ([]FlagStats, error) {
	return flagged(t.tx, t.s.query("stats-flags"))
}

// flagged runs stats-flags: open means a state where it is someone's turn (IsOpen), the one
// definition both the digest and /metrics count by.
func flagged(q querier, query string) ([]FlagStats, error) {
	var closed []string
	for _, kind := range []string{KindIntegration, KindQualification} {
		for _, st := range States(kind) {
			if !IsOpen(kind, st) && !slices.Contains(closed, st) {
				closed = append(closed, st)
			}
		}
	}
	js, err := json.Marshal(closed)
	if err != nil {
		return nil, err
	}
	rows, err := q.Query(query, string(js))
	if err != nil {
		return nil, fmt.Errorf("cases waiting for a person: %w", err)
	}
	defer rows.Close()
	var out []FlagStats
	for rows.Next() {
		var f FlagStats
		if err := rows.Scan(&f.Kind, &f.Count); err != nil {
			return nil, fmt.Errorf("cases waiting for a person: %w", err)
		}
		out = append(out, f)
	}
	return out, rows.Err()
}
