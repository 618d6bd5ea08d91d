package mailbot

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mailbot/internal/formgen"
	"mailbot/internal/wait"
	"mailbot/parsers"
	"mailbot/ticketing"
)

// TestCatalogsFollowQualification: with [catalog] on, a product qualified through its pilot
// ente shows up in the served catalogs and in out_dir within seconds, through the intake's
// OnChange hook (the periodic refresh is a minute away).
func TestCatalogsFollowQualification(t *testing.T) {
	out := filepath.Join(t.TempDir(), "cataloghi")
	h := newHarness(t, func(c *Config) {
		c.Staff.Addresses = []string{staffOne}
		c.Staff.TrustedAuthservID = "mx.regione.veneto.it"
		c.Catalog.Listen = "127.0.0.1:0"
		c.Catalog.OutDir = out
	})
	h.mail.AddUser(staffOne)
	h.mail.AddUser(company)
	logs := &lockedBuffer{}
	d, err := NewDaemon(h.cfg, slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})), time.Now)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	h.d, h.cancel, h.done = d, cancel, make(chan struct{})
	go func() { d.Run(ctx); close(h.done) }()
	t.Cleanup(h.stop)
	defer func() {
		if t.Failed() {
			t.Log(logs.String())
		}
	}()

	wait.For(t, "the catalog server", func() bool { return d.Catalogs.Addr() != "" })
	base := "http://" + d.Catalogs.Addr()
	items := func(name string) []map[string]any {
		resp, err := http.Get(base + "/" + name + ".json")
		if err != nil {
			return nil
		}
		defer resp.Body.Close()
		var doc struct {
			Items []map[string]any `json:"items"`
		}
		if resp.StatusCode != 200 || json.NewDecoder(resp.Body).Decode(&doc) != nil {
			return nil
		}
		return doc.Items
	}
	wait.For(t, "the first publication", func() bool { return d.Catalogs.Current() != nil })
	if got := items("prodotti"); got == nil || len(got) != 0 {
		t.Fatalf("prodotti before any qualification: %v", got)
	}

	qid, iid := qualifyThroughPilot(t, h)
	start := time.Now()
	wait.For(t, "the product in the served catalog", func() bool {
		p := items("prodotti")
		return len(p) == 1 && p[0]["prodotto"] == "TributiWeb" && p[0]["id"] == qid
	})
	if e := items("enti"); len(e) != 1 || e[0]["ente"] != "Comune di Venezia" || e[0]["id"] != iid || e[0]["prodotto"] != "TributiWeb" {
		t.Errorf("enti: %v", e)
	}
	if p := items("processi"); len(p) != 1 || p[0]["processo"] != "Accompagnamento tributi" {
		t.Errorf("processi: %v", p)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("catalogs took %v after the qualification", took)
	}
	wait.For(t, "the files in out_dir", func() bool {
		b, _ := os.ReadFile(filepath.Join(out, "enti.csv"))
		return strings.Contains(string(b), "Comune di Venezia")
	})
	for _, f := range []string{"prodotti.html", "processi.json", "index.html", "assets/bootstrap-italia.min.css"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Error(err)
		}
	}
	resp, err := http.Get(base + "/prodotti.html")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(page), "TributiWeb") || !strings.Contains(string(page), `lang="it"`) {
		t.Errorf("page:\n%s", page)
	}

	// Shutdown stops the HTTP server with the daemon.
	addr := d.Catalogs.Addr()
	h.stop()
	if _, err := (&http.Client{Timeout: time.Second}).Get("http://" + addr + "/"); err == nil {
		t.Error("catalog server still answering after shutdown")
	}
}

// qualifyThroughPilot runs a company's qualification and its pilot ente's integration to the
// end, as TestProductQualifiedThroughPilot does; it returns both tickets.
func qualifyThroughPilot(t *testing.T, h *harness) (qid, iid string) {
	t.Helper()
	ctx := context.Background()
	fill := func(formType string, values map[string]string) []byte {
		b, err := formgen.Fill(formType, "docx", values)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	with := func(extra map[string]string) map[string]string {
		m := map[string]string{"azienda.ragione_sociale": "Software Veneto S.r.l.", "azienda.partita_iva": "04123456784"}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	h.deliver(mimeMail(company, CallCenter, "Domanda di qualificazione prodotto TributiWeb", "cq1@softwarehouse.example.it", "In allegato la domanda.", nil,
		map[string][]byte{
			"domanda.docx":  fill(parsers.FormDomandaInvito, with(map[string]string{"referente.nome": "Anna Neri", "referente.email": company, "prodotti": "TributiWeb", "azienda.pec": "softwareveneto@legalmail.it"})),
			"prodotto.docx": fill(parsers.FormQualificazioneProdotto, with(map[string]string{"prodotto.nome": "TributiWeb", "prodotto.versione": "4.2.1", "servizi": "MyPay, MyPivot", "ente_pilota.denominazione": "Comune di Venezia", "ente_pilota.codice_ipa": "c_l736", "azienda.pec": "softwareveneto@legalmail.it"})),
			"processo.docx": fill(parsers.FormQualificazioneProcesso, with(map[string]string{"processo.nome": "Accompagnamento tributi", "processo.fasi": "analisi, configurazione, collaudo", "processo.prodotti": "TributiWeb"})),
		}))
	wait.For(t, "the qualification ticket", func() bool { return len(h.tickets()) == 1 })
	qid = h.tickets()[0].ID
	h.waitState(qid, ticketing.StateUnderReview)
	if _, err := h.d.Intake.Apply(ctx, qid, "stato", "pilot", nil, "cli:test"); err != nil {
		t.Fatal(err)
	}
	h.deliver(mimeMail(referent, CallCenter, "Richiesta integrazione", "cp1@comune.venezia.it", "Chiediamo l'integrazione.", nil,
		map[string][]byte{"informativa.pdf": fixture(t, "informativa_generale_venezia.pdf"), "qep.odt": fixture(t, "qualificazione_ente_prodotto_venezia.odt")}))
	wait.For(t, "the integration ticket", func() bool { return len(h.tickets()) == 2 })
	iid = h.tickets()[1].ID
	h.waitState(iid, ticketing.StateTestSetup)
	for _, step := range []struct{ name, arg string }{{"stato", "testing"}, {"stato", "production_setup"}, {"stato", "production_check"}, {"chiudi", ""}} {
		if _, err := h.d.Intake.Apply(ctx, iid, step.name, step.arg, nil, "cli:test"); err != nil {
			t.Fatalf("%s %s: %v", step.name, step.arg, err)
		}
	}
	h.waitState(qid, ticketing.StateQualified)
	return qid, iid
}

func TestCatalogConfig(t *testing.T) {
	c, err := loadScheduleConfig(t, "")
	if err != nil {
		t.Fatal(err)
	}
	if c.Catalog.Enabled() || c.Catalog.Refresh.Duration != time.Minute {
		t.Errorf("defaults: %+v", c.Catalog)
	}
	c, err = loadScheduleConfig(t, "[catalog]\nout_dir = \"/srv/cataloghi\"\nlisten = \"127.0.0.1:8080\"\nrefresh = \"30s\"\n")
	if err != nil || !c.Catalog.Enabled() || c.Catalog.Refresh.Duration != 30*time.Second {
		t.Fatalf("keys: %v %+v", err, c)
	}
	for _, ok := range []string{"127.0.0.1:8080", "[::1]:8080", "localhost:8080", "10.1.2.3:80", "192.168.10.5:8080"} {
		if _, err := loadScheduleConfig(t, "[catalog]\nlisten = \""+ok+"\"\n"); err != nil {
			t.Errorf("listen %s: %v", ok, err)
		}
	}
	for _, bad := range []string{"0.0.0.0:8080", ":8080", "203.0.113.5:80", "www.example.it:80", "127.0.0.1"} {
		if _, err := loadScheduleConfig(t, "[catalog]\nlisten = \""+bad+"\"\n"); err == nil || !strings.Contains(err.Error(), "catalog.listen") {
			t.Errorf("listen %s accepted (%v)", bad, err)
		}
	}
	if _, err := loadScheduleConfig(t, "[catalog]\nrefresh = \"10ms\"\n"); err == nil {
		t.Error("refresh 10ms accepted")
	}
}
