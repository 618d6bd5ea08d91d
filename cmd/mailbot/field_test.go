package main

import (
	"context"
	"strings"
	"testing"

	"mailbot/mailbot"
	"mailbot/ticketing"
)

// TestTicketField: staff confirm or correct form values from the command line, as with #campo.
func TestTicketField(t *testing.T) {
	cfg, id, _ := ticketFixture(t)
	for _, c := range []struct {
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{args: []string{id}, code: 2, stderr: "KEY=VALUE is required"},
		{args: []string{id, "ente.codice_ipa"}, code: 2, stderr: `"ente.codice_ipa" is not KEY=VALUE`},
		{args: []string{id, "nessuno=x"}, code: 1, stderr: "sconosciuto"},
		{args: []string{id, "ente.codice_fiscale=00339370270"}, code: 1, stderr: "non eseguito"},
		{args: []string{id, "ente.denominazione=Comune di Venezia", "QUALIFICAZIONE_ENTE_PRODOTTO.url_callback=https://tributi.comune.venezia.it/cb"},
			stdout: "valore registrato"},
		{args: []string{id, "ip_esercizio=203.0.113.10, 198.51.100.0/28"}, stdout: "valore registrato"},
	} {
		code, stdout, stderr := runCLI(append([]string{"ticket", "field", "-config", cfg}, c.args...)...)
		if code != c.code || !strings.Contains(stdout, c.stdout) || !strings.Contains(stderr, c.stderr) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", c.args, code, stdout, stderr)
		}
	}
	c, err := mailbot.LoadConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	s, err := ticketing.Open(c.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	forms, err := s.Forms(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, f := range forms {
		for k := range f.Fields {
			got[f.Type+" "+k] = f.Field(k) + " (" + f.Provenance[k].How + ")"
		}
	}
	want := map[string]string{
		"informativa_generale ente.denominazione":         "Comune di Venezia (staff)",
		"qualificazione_ente_prodotto ente.denominazione": "Comune di Venezia (staff)",
		"qualificazione_ente_prodotto url_callback":       "https://tributi.comune.venezia.it/cb (staff)",
		"qualificazione_ente_prodotto ip_esercizio":       "203.0.113.10, 198.51.100.0/28 (staff)",
	}
	if len(got) != len(want) {
		t.Errorf("recorded %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}

	if ips, err := s.IPs(context.Background(), id); err != nil || strings.Join(ips[ticketing.EnvEsercizio], ",") != "198.51.100.0/28,203.0.113.10" {
		t.Errorf("caller addresses %v (%v)", ips, err)
	}

	// tickets show gives the merged case file, each value with where it was read.
	if err := s.Update(context.Background(), func(tx *ticketing.Tx) error {
		return tx.AddForm(id, ticketing.Form{MessageID: "m1", Type: "qualificazione_ente_prodotto", Source: "ente-prodotto.pdf",
			Fields: map[string]any{"ip_collaudo": []string{"11.3.20.26"}, "ente.denominazione": "Comune"},
			Provenance: map[string]ticketing.Provenance{
				"ip_collaudo":        {Document: "ente-prodotto.pdf", Where: "pagina 1", How: "table", Doubt: "sembra una data"},
				"ente.denominazione": {Document: "ente-prodotto.pdf", How: "table", Sure: true}}})
	}); err != nil {
		t.Fatal(err)
	}
	_, stdout, _ := runCLI("tickets", "show", "-config", cfg, id)
	for _, w := range []string{"Case file:", "ip_collaudo", "[ente-prodotto.pdf pagina 1 table]  UNCERTAIN: sembra una data",
		"Comune di Venezia  [valore indicato da cli:"} {
		if !strings.Contains(stdout, w) {
			t.Errorf("tickets show lacks %q:\n%s", w, stdout)
		}
	}
	_, stdout, _ = runCLI("tickets", "show", "-config", cfg, "-json", id)
	if !strings.Contains(stdout, `"case_file": {`) || !strings.Contains(stdout, `"conflicts": []`) || !strings.Contains(stdout, `"doubt": "sembra una data"`) {
		t.Errorf("tickets show -json:\n%s", stdout)
	}
}
