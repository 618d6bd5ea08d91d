package ticketing

import (
	"slices"
	"testing"
)

// TestTransitionTable checks every pair of states of both life cycles against the process: the
// steps forward, the few steps back a person may need, cancellation from any open state, and
// nothing out of a closed one.
func TestTransitionTable(t *testing.T) {
	allowed := map[string][][2]string{
		KindIntegration: {
			{StateAwaitingDocuments, StateTestSetup},
			{StateTestSetup, StateTesting}, {StateTestSetup, StateAwaitingDocuments},
			{StateTesting, StateProductionSetup}, {StateTesting, StateTestSetup},
			{StateProductionSetup, StateProductionCheck}, {StateProductionSetup, StateTesting},
			{StateProductionCheck, StateCompleted}, {StateProductionCheck, StateProductionSetup},
		},
		KindQualification: {
			{StateAwaitingDocuments, StateUnderReview},
			{StateUnderReview, StatePilot}, {StateUnderReview, StateAwaitingDocuments},
			{StatePilot, StateQualified}, {StatePilot, StateUnderReview},
		},
	}
	for kind, pairs := range allowed {
		states := States(kind)
		for _, from := range states {
			for _, to := range states {
				want := slices.Contains(pairs, [2]string{from, to}) || (to == StateCancelled && IsOpen(kind, from))
				err := CheckTransition(kind, from, to)
				if (err == nil) != want {
					t.Errorf("%s: %s → %s: err=%v, want allowed=%v", kind, from, to, err, want)
				}
				if err != nil && err.Error() == "" {
					t.Errorf("%s: %s → %s refused without a reason", kind, from, to)
				}
			}
		}
	}
	if err := CheckTransition(KindIntegration, StateTesting, StateQualified); err == nil {
		t.Error("an integration reached a qualification state")
	}
	if err := CheckTransition("other", StateTesting, StateCompleted); err == nil {
		t.Error("unknown kind accepted")
	}
}

func TestWaitingOn(t *testing.T) {
	for _, c := range []struct{ kind, state, want string }{
		{KindIntegration, StateAwaitingDocuments, WaitingEnte},
		{KindIntegration, StateTestSetup, WaitingRegione},
		{KindIntegration, StateTesting, WaitingEnte},
		{KindIntegration, StateProductionSetup, WaitingRegione},
		{KindIntegration, StateProductionCheck, WaitingEnte},
		{KindIntegration, StateCompleted, WaitingNone},
		{KindIntegration, StateCancelled, WaitingNone},
		{KindQualification, StateAwaitingDocuments, WaitingEnte},
		{KindQualification, StateUnderReview, WaitingRegione},
		{KindQualification, StatePilot, WaitingEnte},
		{KindQualification, StateQualified, WaitingNone},
	} {
		if got := WaitingOn(c.kind, c.state); got != c.want {
			t.Errorf("WaitingOn(%s, %s) = %s, want %s", c.kind, c.state, got, c.want)
		}
	}
}
