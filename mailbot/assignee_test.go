package mailbot

import (
	"context"
	"strings"
	"testing"
	"time"

	"mailbot/ticketing"
)

func TestResolveAssignee(t *testing.T) {
	c := &Config{Staff: StaffConfig{Addresses: []string{"mario.rossi@regione.veneto.it", "anna.bianchi@regione.veneto.it", "anna.bianchi@veneto.example.it"}}}
	for in, want := range map[string]string{
		"mario.rossi@regione.veneto.it": "mario.rossi@regione.veneto.it",
		" Mario.Rossi ":                 "mario.rossi@regione.veneto.it",
		"Regione":                       AssigneeRegione,
		"nessuno":                       "",
		"anna.bianchi":                  "!", // two staff addresses have it
		"mario.rosi":                    "!", // a typo
		"mario.rossi@example.com":       "!", // an outside address
		"":                              "!",
	} {
		got, ok := c.ResolveAssignee(in)
		if !ok {
			got = "!"
		}
		if got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}

// TestAssignOnlyStaff: #assegna takes a staff member (by short name too), the Region or nobody,
// and refuses anyone else with the valid names; old unchecked assignees are resolved.
func TestAssignOnlyStaff(t *testing.T) {
	const staffTwo = "staff2@regione.veneto.it"
	h := newHarness(t, func(c *Config) { c.Staff.Addresses = []string{staffOne, staffTwo} })
	h.start()
	ctx := context.Background()
	var id, old string
	err := h.d.Store.Update(ctx, func(tx *ticketing.Tx) error {
		tk, err := tx.NewTicket(ticketing.KindIntegration, "Adesione", "referente@comune.venezia.it", "test", time.Now(), h.cfg.Location())
		if err != nil {
			return err
		}
		id = tk.ID
		o, err := tx.NewTicket(ticketing.KindIntegration, "Vecchia", "referente@comune.padova.it", "test", time.Now(), h.cfg.Location())
		if err != nil {
			return err
		}
		old = o.ID
		return tx.SetAssignee(old, strings.ToUpper(strings.Split(staffTwo, "@")[0]), "test", time.Now())
	})
	if err != nil {
		t.Fatal(err)
	}
	short := strings.Split(staffOne, "@")[0]
	if res, err := h.d.Intake.Apply(ctx, id, "assegna", short, nil, "cli:test"); err != nil || !strings.Contains(res, "assegnata a "+staffOne) {
		t.Errorf("short name: %q %v", res, err)
	}
	if _, err := h.d.Intake.Apply(ctx, id, "assegna", "estraneo@example.com", nil, "cli:test"); err == nil || !strings.Contains(err.Error(), staffTwo+", regione, nessuno") {
		t.Errorf("outside address: %v", err)
	}
	if tk, _ := h.d.Store.Ticket(ctx, id); tk.Assignee != staffOne {
		t.Errorf("assignee after a refusal: %q", tk.Assignee)
	}
	if res, err := h.d.Intake.Apply(ctx, id, "assegna", "nessuno", nil, "cli:test"); err != nil || !strings.Contains(res, "non più assegnata") {
		t.Errorf("nobody: %q %v", res, err)
	}
	unknown, err := ResolveAssignees(ctx, h.d.Store, h.cfg)
	if err != nil || len(unknown) != 0 {
		t.Fatalf("resolve: %v %v", unknown, err)
	}
	if tk, _ := h.d.Store.Ticket(ctx, old); tk.Assignee != staffTwo {
		t.Errorf("old assignee resolved to %q", tk.Assignee)
	}
}
