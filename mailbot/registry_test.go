package mailbot

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mailbot/internal/wait"
	"mailbot/ticketing"
)

// TestRegistryEvidence: a request with both forms of the Comune di Venezia, checked against the
// registry of enti ([registry] file). What the registry confirms moves the case; what it
// contradicts or does not know goes to staff with the registry's view, and the referent hears
// only that a person is checking.
func TestRegistryEvidence(t *testing.T) {
	fixture, err := os.ReadFile("../testdata/registry/enti.csv")
	if err != nil {
		t.Fatalf("fixture missing: %v", err)
	}
	const header = "Codice_IPA,Denominazione_ente,Codice_fiscale_ente,Mail1,Tipo_Mail1\n"
	cases := []struct {
		name     string
		registry string
		state    string
		notice   []string // in the staff notice
	}{
		{name: "confirmed", registry: string(fixture), state: ticketing.StateTestSetup,
			notice: []string{"IndicePA:  c_l736 «Comune di Venezia», codice fiscale 00339370272, PEC protocollo@pec.comune.venezia.it"}},
		{name: "contradicted", registry: header + "c_l736,Comune di Venezia,00644060287,protocollo@pec.comune.venezia.it,Pec\n",
			state:  ticketing.StateAwaitingDocuments,
			notice: []string{"ente.codice_fiscale", "«00339370272»", "«00644060287» (registro IndicePA, ente c_l736)"}},
		{name: "unknown", registry: header + "c_g224,Comune di Padova,00644060287,,\n",
			state:  ticketing.StateAwaitingDocuments,
			notice: []string{"il codice IPA «c_l736» non è nel registro IndicePA", "il codice fiscale «00339370272» non è nel registro IndicePA"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "enti.csv")
			if err := os.WriteFile(file, []byte(c.registry), 0o600); err != nil {
				t.Fatal(err)
			}
			h, _ := newLifecycle(t, func(cfg *Config) { cfg.Registry.File = file })
			h.deliver(mimeMail("Mario Rossi <"+referent+">", CallCenter, "Richiesta integrazione MyPay e MyPivot", "reg-"+c.name+"@comune.venezia.it",
				"Buongiorno,\nin allegato i moduli compilati.\nCordiali saluti", nil, bothForms(t)))
			wait.For(t, "the ticket", func() bool { return len(h.tickets()) == 1 })
			id := h.tickets()[0].ID
			wait.For(t, "the staff notice", func() bool { return len(h.mail.DeliveredTo(staffOne)) > 0 })
			wait.For(t, "the answer", func() bool { return len(h.mail.DeliveredTo(referent)) > 0 })
			if tk := h.ticket(id); tk.State != c.state {
				t.Errorf("state %s, want %s", tk.State, c.state)
			}
			_, notice := h.lastTo(staffOne)
			for _, want := range c.notice {
				if !strings.Contains(notice, want) {
					t.Errorf("staff notice lacks %q:\n%s", want, notice)
				}
			}
			_, text := h.lastTo(referent)
			if c.state == ticketing.StateAwaitingDocuments && (!strings.Contains(text, "li sta verificando una persona") ||
				strings.Contains(text, "ci servono ancora") || strings.Contains(text, "IndicePA")) {
				t.Errorf("the referent was told of the registry:\n%s", text)
			}
		})
	}
}

// TestRegistryReload: serve imports [registry] file at start and again when it changes; a
// broken file keeps the registry as it was.
func TestRegistryReload(t *testing.T) {
	file := filepath.Join(t.TempDir(), "enti.csv")
	write := func(s string) {
		t.Helper()
		if err := os.WriteFile(file, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("Codice_IPA,Denominazione_ente,Codice_fiscale_ente\nc_l736,Comune di Venezia,00339370272\n")
	h, _ := newLifecycle(t, func(cfg *Config) { cfg.Registry.File = file })
	ctx := context.Background()
	enti := func() int {
		t.Helper()
		src, ok, err := h.d.Store.RegistrySource(ctx)
		if err != nil || !ok {
			t.Fatalf("registry source: %v %v", ok, err)
		}
		return src.Enti
	}
	wait.For(t, "the import at start", func() bool { src, ok, _ := h.d.Store.RegistrySource(ctx); return ok && src.Enti == 1 })
	write("Codice_IPA,Denominazione_ente,Codice_fiscale_ente\nc_l736,Comune di Venezia,00339370272\nc_g224,Comune di Padova,00644060287\n")
	os.Chtimes(file, time.Now().Add(time.Second), time.Now().Add(time.Second))
	h.d.Registry.Check(ctx)
	if n := enti(); n != 2 {
		t.Errorf("%d enti after the change, want 2", n)
	}
	write("not a registry\n")
	os.Chtimes(file, time.Now().Add(2*time.Second), time.Now().Add(2*time.Second))
	h.d.Registry.Check(ctx)
	if n := enti(); n != 2 {
		t.Errorf("%d enti after a broken file, want the 2 kept", n)
	}
}
