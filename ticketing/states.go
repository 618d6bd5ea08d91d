package ticketing

import (
	"fmt"

	"mailbot/templates/say"
)

// Kinds of case.
const (
	KindIntegration   = "integration"
	KindQualification = "qualification"
)

// States of both life cycles. An integration goes awaiting_documents → test_setup → testing →
// production_setup → production_check → completed; a qualification awaiting_documents →
// under_review → pilot → qualified. Both may be cancelled from any open state.
const (
	StateAwaitingDocuments = "awaiting_documents"
	StateTestSetup         = "test_setup"
	StateTesting           = "testing"
	StateProductionSetup   = "production_setup"
	StateProductionCheck   = "production_check"
	StateCompleted         = "completed"
	StateUnderReview       = "under_review"
	StatePilot             = "pilot"
	StateQualified         = "qualified"
	StateCancelled         = "cancelled"
)

// Whose turn it is.
const (
	WaitingEnte    = "ente"
	WaitingRegione = "regione"
	WaitingNone    = "none"
)

type stateInfo struct {
	waitingOn string
	label     string // key of its name for people in templates/say/sentences.txt
	next      []string
}

// lifecycles is the one table of states and transitions. Backward moves exist where a person may
// need them (documents found wrong, production refused after tests); cancelled is added to every
// open state below.
var lifecycles = map[string]map[string]stateInfo{
	KindIntegration: {
		StateAwaitingDocuments: {WaitingEnte, "state.awaiting_documents", []string{StateTestSetup}},
		StateTestSetup:         {WaitingRegione, "state.test_setup", []string{StateTesting, StateAwaitingDocuments}},
		StateTesting:           {WaitingEnte, "state.testing", []string{StateProductionSetup, StateTestSetup}},
		StateProductionSetup:   {WaitingRegione, "state.production_setup", []string{StateProductionCheck, StateTesting}},
		StateProductionCheck:   {WaitingEnte, "state.production_check", []string{StateCompleted, StateProductionSetup}},
		StateCompleted:         {WaitingNone, "state.completed", nil},
		StateCancelled:         {WaitingNone, "state.cancelled", nil},
	},
	KindQualification: {
		StateAwaitingDocuments: {WaitingEnte, "state.awaiting_documents", []string{StateUnderReview}},
		StateUnderReview:       {WaitingRegione, "state.under_review", []string{StatePilot, StateAwaitingDocuments}},
		StatePilot:             {WaitingEnte, "state.pilot", []string{StateQualified, StateUnderReview}},
		StateQualified:         {WaitingNone, "state.qualified", nil},
		StateCancelled:         {WaitingNone, "state.cancelled", nil},
	},
}

// WaitingOn tells whose turn it is in a state of a kind of case.
func WaitingOn(kind, state string) string {
	if s, ok := lifecycles[kind][state]; ok {
		return s.waitingOn
	}
	return WaitingNone
}

// StateLabel is the Italian name of a state.
func StateLabel(state string) string {
	for _, lc := range lifecycles {
		if s, ok := lc[state]; ok {
			return say.Text(s.label)
		}
	}
	return state
}

// States lists the states of a kind in life-cycle order.
func States(kind string) []string {
	if kind == KindQualification {
		return []string{StateAwaitingDocuments, StateUnderReview, StatePilot, StateQualified, StateCancelled}
	}
	return []string{StateAwaitingDocuments, StateTestSetup, StateTesting, StateProductionSetup, StateProductionCheck, StateCompleted, StateCancelled}
}

// IsOpen reports whether a state still expects someone to act.
func IsOpen(kind, state string) bool { return WaitingOn(kind, state) != WaitingNone }

// CheckTransition returns nil when a case of kind may move from one state to another, or an
// error that says why not.
func CheckTransition(kind, from, to string) error {
	lc, ok := lifecycles[kind]
	if !ok {
		return fmt.Errorf("unknown kind of case %q", kind)
	}
	cur, ok := lc[from]
	if !ok {
		return fmt.Errorf("unknown state %q for a %s case", from, kind)
	}
	if _, ok := lc[to]; !ok {
		return fmt.Errorf("unknown state %q for a %s case", to, kind)
	}
	if from == to {
		return fmt.Errorf("the case is already %s", to)
	}
	if to == StateCancelled && cur.waitingOn != WaitingNone {
		return nil
	}
	for _, n := range cur.next {
		if n == to {
			return nil
		}
	}
	if cur.waitingOn == WaitingNone {
		return fmt.Errorf("the case is closed (%s)", from)
	}
	return fmt.Errorf("a %s case cannot go from %s to %s", kind, from, to)
}
