package ticketing

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// A proposal is a value that came by mail and that only a person may make the case's own: a
// changed IBAN, ente PEC or referent e-mail once the forms were first complete, and every
// caller IP for production. Until a staff member confirms it, the case keeps its old value (the
// proposed one is in no form of the case file); confirming records it the way a staff
// correction is recorded, rejecting keeps the old value. Either way the decision stays. A newer
// proposal for the same field supersedes one still waiting (mailbot decides which do), so that
// no stale value can be accepted after a newer one; a rejected value sent again is counted on
// the rejected proposal and reopens nothing.

// ProposalState is where a proposal stands.
type ProposalState string

// States of a proposal.
const (
	ProposalPending   ProposalState = "pending"
	ProposalConfirmed ProposalState = "confirmed"
	ProposalRejected  ProposalState = "rejected"
	// ProposalSuperseded is a proposal a newer one for the same field replaced while it waited:
	// nobody may accept it any more.
	ProposalSuperseded ProposalState = "superseded"
)

// EventProposal is the event of a value proposed by mail, confirmed or rejected.
const EventProposal = "proposal"

// Proposal is one value proposed by mail for a case.
type Proposal struct {
	TicketID  string        `json:"ticket_id"`
	Seq       int           `json:"seq"`       // its number within the case: what staff write (#accetta N)
	Field     string        `json:"field"`     // form field key (parsers.Key*)
	FormType  string        `json:"form_type"` // the form it would set; "" for every form of the case with the key
	Old       string        `json:"old"`       // the case's value when it was proposed, "" for none
	Value     string        `json:"value"`     // as text, lists joined with ", "
	MessageID string        `json:"message_id"`
	Document  string        `json:"document"` // where in the message it was read
	CreatedAt time.Time     `json:"created_at"`
	State     ProposalState `json:"state"`
	DecidedBy string        `json:"decided_by,omitempty"`
	DecidedAt time.Time     `json:"decided_at,omitzero"`
	// SupersededBy is the number of the proposal that superseded it (state superseded), else 0.
	SupersededBy int `json:"superseded_by,omitempty"`
	// Resent counts the messages that sent a rejected proposal's value again.
	Resent int `json:"resent,omitempty"`
}

// Pending reports whether the proposal waits for a person.
func (p Proposal) Pending() bool { return p.State == ProposalPending }

// AddProposal records a value proposed by mail and returns its number within the case.
func (t *Tx) AddProposal(p Proposal) (int, error) {
	var seq int
	if err := t.row("proposal-insert", p.TicketID, p.Field, p.FormType, p.Old, p.Value, p.MessageID, p.Document, ts(p.CreatedAt)).Scan(&seq); err != nil {
		return 0, fmt.Errorf("proposal for %s: %w", p.TicketID, err)
	}
	return seq, nil
}

// Proposal reads proposal seq of a case; ErrNotFound if the case has none with that number.
func (t *Tx) Proposal(ticketID string, seq int) (Proposal, error) {
	p, err := scanProposal(t.row("proposal-get", ticketID, seq))
	if errors.Is(err, sql.ErrNoRows) {
		return p, fmt.Errorf("proposal %d of %s: %w", seq, ticketID, ErrNotFound)
	}
	return p, err
}

// Proposals lists a case's proposals in order, decided ones included.
func (t *Tx) Proposals(ticketID string) ([]Proposal, error) {
	return listProposals(prepared{t}, t.s.query("proposal-list"), ticketID)
}

// ListProposals lists a case's proposals in order, decided ones included (Pending tells which
// wait for a person).
func (s *Store) ListProposals(ctx context.Context, ticketID string) ([]Proposal, error) {
	return listProposals(s.r, s.query("proposal-list"), ticketID)
}

// DecideProposal confirms or rejects a pending proposal; ErrNotFound if it is not pending (any
// more). It records the decision only: applying a confirmed value is the caller's.
func (t *Tx) DecideProposal(ticketID string, seq int, state ProposalState, by string, now time.Time) error {
	if state != ProposalConfirmed && state != ProposalRejected {
		return fmt.Errorf("proposal %d of %s: cannot decide %q", seq, ticketID, state)
	}
	return t.changePending(ticketID, seq, "proposal-decide", ticketID, seq, string(state), by, ts(now))
}

// SupersedeProposal marks pending proposal seq as superseded by the newer proposal by;
// ErrNotFound if it is not pending (any more).
func (t *Tx) SupersedeProposal(ticketID string, seq, by int, now time.Time) error {
	return t.changePending(ticketID, seq, "proposal-supersede", ticketID, seq, by, ts(now))
}

// changePending runs the statement q, which changes pending proposal seq; ErrNotFound if it
// changed nothing (the proposal is not pending any more).
func (t *Tx) changePending(ticketID string, seq int, q string, args ...any) error {
	res, err := t.exec(q, args...)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return fmt.Errorf("pending proposal %d of %s: %w", seq, ticketID, ErrNotFound)
	}
	return nil
}

// ProposalResent counts one more message sending rejected proposal seq's value again and
// returns how many have.
func (t *Tx) ProposalResent(ticketID string, seq int) (int, error) {
	var n int
	if err := t.row("proposal-resent", ticketID, seq).Scan(&n); err != nil {
		return 0, fmt.Errorf("proposal %d of %s sent again: %w", seq, ticketID, err)
	}
	return n, nil
}

// ProposalsSuperseded counts the proposals superseded at or after since, on any case.
func (t *Tx) ProposalsSuperseded(since time.Time) (int, error) {
	var n int
	if err := t.row("proposal-superseded-since", ts(since)).Scan(&n); err != nil {
		return 0, fmt.Errorf("proposals superseded: %w", err)
	}
	return n, nil
}

func listProposals(q querier, query, ticketID string) ([]Proposal, error) {
	rows, err := q.Query(query, ticketID)
	if err != nil {
		return nil, fmt.Errorf("proposals of %s: %w", ticketID, err)
	}
	defer rows.Close()
	list := []Proposal{}
	for rows.Next() {
		p, err := scanProposal(rows)
		if err != nil {
			return nil, fmt.Errorf("proposals of %s: %w", ticketID, err)
		}
		list = append(list, p)
	}
	return list, rows.Err()
}

func scanProposal(r scanner) (Proposal, error) {
	var p Proposal
	var state, created, decided string
	err := r.Scan(&p.TicketID, &p.Seq, &p.Field, &p.FormType, &p.Old, &p.Value, &p.MessageID, &p.Document, &created, &state, &p.DecidedBy, &decided,
		&p.SupersededBy, &p.Resent)
	p.State, p.CreatedAt, p.DecidedAt = ProposalState(state), parseTS(created), parseTS(decided)
	return p, err
}
