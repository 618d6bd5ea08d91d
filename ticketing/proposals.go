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
// correction is recorded, rejecting keeps the old value. Either way the decision stays.

// ProposalState is where a proposal stands.
type ProposalState string

// States of a proposal.
const (
	ProposalPending   ProposalState = "pending"
	ProposalConfirmed ProposalState = "confirmed"
	ProposalRejected  ProposalState = "rejected"
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
	return listProposals(t.tx, t.s.query("proposal-list"), ticketID)
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
	res, err := t.exec("proposal-decide", ticketID, seq, string(state), by, ts(now))
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
	err := r.Scan(&p.TicketID, &p.Seq, &p.Field, &p.FormType, &p.Old, &p.Value, &p.MessageID, &p.Document, &created, &state, &p.DecidedBy, &decided)
	p.State, p.CreatedAt, p.DecidedAt = ProposalState(state), parseTS(created), parseTS(decided)
	return p, err
}
