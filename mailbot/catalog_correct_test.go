package mailbot

import (
	"context"
	"strings"
	"testing"
	"time"

	"mailbot/ticketing"
)

// TestCatalogCommand: "#catalogo" hides, shows and corrects a case's catalog entries through
// Apply like every staff action; what it cannot do is refused and records nothing.
func TestCatalogCommand(t *testing.T) {
	h := newHarness(t)
	h.start()
	ctx := context.Background()
	var id string
	err := h.d.Store.Update(ctx, func(tx *ticketing.Tx) error {
		tk, err := tx.NewTicket(ticketing.KindIntegration, "Adesione", "referente@comune.venezia.it", "test", time.Now(), h.cfg.Location())
		id = tk.ID
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		arg    string
		values map[string]string
		want   string // in the answer, or in the refusal
		ok     bool
	}{
		{"nascondi", nil, "#catalogo nascondi: correzione registrata nei cataloghi enti", true},
		{"enti mostra", nil, "#catalogo enti mostra: correzione registrata", true},
		{"", map[string]string{"ente": "Comune di Venezia"}, "correzione registrata nei cataloghi enti", true},
		{"prodotti nascondi", nil, "non eseguito", false},
		{"", nil, "indicare nascondi, mostra o campo=valore", false},
		{"nonesiste=x", nil, "non eseguito", false},
	} {
		before, _ := h.d.Store.Events(ctx, id)
		res, err := h.d.Intake.Apply(ctx, id, "catalogo", c.arg, c.values, "cli:test")
		after, _ := h.d.Store.Events(ctx, id)
		got := res
		if err != nil {
			got = err.Error()
		}
		if (err == nil) != c.ok || !strings.Contains(got, c.want) {
			t.Errorf("#catalogo %q %v: %q, %v", c.arg, c.values, res, err)
		}
		if recorded := len(after) > len(before); recorded != c.ok {
			t.Errorf("#catalogo %q: recorded %v", c.arg, recorded)
		}
	}
}
