package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mailbot/parsers"
	"mailbot/ticketing"
)

// catalogFixture writes a configuration (with out_dir) and a database with a product qualified
// and its pilot ente's integration completed; it returns the config path, the out_dir and the
// two tickets.
func catalogFixture(t *testing.T) (cfg, outDir, qid, iid string) {
	t.Helper()
	dir := t.TempDir()
	outDir = filepath.Join(dir, "pubblicati")
	cfg = filepath.Join(dir, "mailbot.toml")
	if err := os.WriteFile(cfg, []byte(`data_dir = "`+filepath.ToSlash(dir)+`"
reply_from = "call.center@regione.veneto.it"
[[mailbox]]
name = "callcenter"
address = "call.center@regione.veneto.it"
imap_addr = "127.0.0.1:993"
username = "u"
password = "p"
[smtp]
addr = "127.0.0.1:587"
[catalog]
out_dir = "`+filepath.ToSlash(outDir)+`"
`), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := ticketing.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	err = s.Update(context.Background(), func(tx *ticketing.Tx) error {
		q, err := tx.NewTicket(ticketing.KindQualification, "Qualificazione", "a@sw.example.it", "a@sw.example.it", now, time.UTC)
		if err != nil {
			return err
		}
		qid = q.ID
		for typ, f := range map[string]map[string]any{
			parsers.FormQualificazioneProdotto: {"prodotto.nome": "TributiWeb", "prodotto.versione": "4.2.1", "azienda.ragione_sociale": "Software Veneto S.r.l.",
				"azienda.partita_iva": "04123456784", "servizi": []string{"MyPay", "MyPivot"}, "ente_pilota.denominazione": "Comune di Venezia"},
			parsers.FormQualificazioneProcesso: {"processo.nome": "Accompagnamento tributi", "processo.fasi": "analisi, collaudo", "processo.prodotti": []string{"TributiWeb"}},
		} {
			if err := tx.AddForm(q.ID, ticketing.Form{MessageID: "q@x", Type: typ, Source: "body", Fields: f, ReceivedAt: now}); err != nil {
				return err
			}
		}
		i, err := tx.NewTicket(ticketing.KindIntegration, "Richiesta", "r@comune.venezia.it", "r@comune.venezia.it", now, time.UTC)
		if err != nil {
			return err
		}
		iid = i.ID
		if err := tx.AddForm(i.ID, ticketing.Form{MessageID: "i@x", Type: parsers.FormQualificazioneEnteProdotto, Source: "body",
			Fields: map[string]any{"prodotto.nome": "TributiWeb"}, ReceivedAt: now}); err != nil {
			return err
		}
		if err := tx.SetEnte(i.ID, ticketing.Ente{Name: "Comune di Venezia", CodiceIPA: "c_l736"}, []string{"MyPay"}, now); err != nil {
			return err
		}
		for k, st := range []string{"under_review", "pilot"} {
			if err := tx.SetState(q.ID, st, "test", "", now.Add(time.Duration(k+1)*time.Hour)); err != nil {
				return err
			}
		}
		for k, st := range []string{"test_setup", "testing", "production_setup", "production_check", "completed"} {
			if err := tx.SetState(i.ID, st, "test", "", now.Add(time.Duration(k+3)*time.Hour)); err != nil {
				return err
			}
		}
		return tx.SetState(q.ID, "qualified", "mailbot", "", now.Add(9*time.Hour))
	})
	if err != nil {
		t.Fatal(err)
	}
	return cfg, outDir, qid, iid
}

func items(t *testing.T, path string) []map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		GeneratedAt string           `json:"generated_at"`
		Items       []map[string]any `json:"items"`
	}
	if err := json.Unmarshal(b, &doc); err != nil || doc.Items == nil {
		t.Fatalf("%s: %v\n%s", path, err, b)
	}
	return doc.Items
}

func TestCatalogExport(t *testing.T) {
	cfg, _, qid, _ := catalogFixture(t)
	out := filepath.Join(t.TempDir(), "nuova", "cartella")
	var stdout, stderr bytes.Buffer
	if code := run([]string{"catalog", "export", "-config", cfg, "-format", "csv", "-out", out}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if !strings.Contains(stdout.String(), "1 prodotti, 1 processi, 1 enti") {
		t.Errorf("stdout %q", stdout.String())
	}
	entries, _ := os.ReadDir(out)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if strings.Join(names, " ") != "enti.csv processi.csv prodotti.csv" {
		t.Errorf("written: %v", names)
	}
	b, _ := os.ReadFile(filepath.Join(out, "prodotti.csv"))
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\ufeff")))).ReadAll()
	if err != nil || len(rows) != 2 || rows[1][0] != qid || rows[1][5] != "MyPay; MyPivot" || rows[1][8] != "2026-03-02" {
		t.Errorf("prodotti.csv: %v %q", err, rows)
	}
	for _, f := range []string{"json", "html"} {
		stderr.Reset()
		if code := run([]string{"catalog", "export", "-config", cfg, "-format", f, "-out", out}, &stdout, &stderr); code != 0 {
			t.Fatalf("%s: exit %d: %s", f, code, stderr.String())
		}
	}
	for _, f := range []string{"enti.json", "prodotti.html", "index.html", "assets/catalog.css", "assets/LICENSE-bootstrap-italia.txt"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Error(err)
		}
	}
	if code := run([]string{"catalog", "export", "-config", cfg, "-format", "pdf", "-out", out}, &stdout, &stderr); code != 2 {
		t.Errorf("-format pdf: exit %d", code)
	}
}

func TestCatalogHideEditUnhide(t *testing.T) {
	cfg, outDir, qid, iid := catalogFixture(t)
	cli := func(want int, args ...string) string {
		t.Helper()
		var stdout, stderr bytes.Buffer
		if code := run(append([]string{"catalog"}, args...), &stdout, &stderr); code != want {
			t.Fatalf("%v: exit %d, want %d: %s%s", args, code, want, stdout.String(), stderr.String())
		}
		return stdout.String() + stderr.String()
	}
	prodotti := func() []map[string]any { return items(t, filepath.Join(outDir, "prodotti.json")) }
	processi := func() []map[string]any { return items(t, filepath.Join(outDir, "processi.json")) }
	enti := func() []map[string]any { return items(t, filepath.Join(outDir, "enti.json")) }

	// Hiding the product (without -catalog: product and process) also takes its ente out.
	cli(0, "hide", "-config", cfg, qid)
	if len(prodotti()) != 0 || len(processi()) != 0 || len(enti()) != 0 {
		t.Fatalf("after hide: %v %v %v", prodotti(), processi(), enti())
	}
	cli(0, "unhide", "-config", cfg, "-catalog", "prodotti", qid)
	if len(prodotti()) != 1 || len(processi()) != 0 || len(enti()) != 1 {
		t.Fatalf("after unhide prodotti: %v %v %v", prodotti(), processi(), enti())
	}
	cli(0, "edit", "-config", cfg, qid, "versione=4.3", "servizi=MyPay", "azienda=Software Veneto S.p.A.")
	p := prodotti()[0]
	if p["versione"] != "4.3" || p["azienda"] != "Software Veneto S.p.A." || len(p["servizi"].([]any)) != 1 {
		t.Errorf("after edit: %v", p)
	}
	cli(0, "edit", "-config", cfg, qid, "versione=")
	if v := prodotti()[0]["versione"]; v != "4.2.1" {
		t.Errorf("after dropping the correction: versione %v", v)
	}
	cli(0, "edit", "-config", cfg, iid, "ente=Città di Venezia")
	if e := enti(); len(e) != 1 || e[0]["ente"] != "Città di Venezia" {
		t.Errorf("enti after edit: %v", e)
	}

	// Refusals change nothing and say why.
	if out := cli(2, "edit", "-config", cfg, qid, "email=x@y.it"); !strings.Contains(out, `no field "email"`) {
		t.Errorf("unknown field: %s", out)
	}
	if out := cli(2, "hide", "-config", cfg, "-catalog", "enti", qid); !strings.Contains(out, "no entry in the catalog") {
		t.Errorf("wrong catalog: %s", out)
	}
	if out := cli(1, "hide", "-config", cfg, "QUA-2026-99999"); !strings.Contains(out, "no ticket") {
		t.Errorf("unknown ticket: %s", out)
	}
	cli(2, "edit", "-config", cfg, qid)

	// Every correction is in the ticket's history.
	s, err := ticketing.Open(filepath.Dir(cfg))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	events, _ := s.Events(context.Background(), qid)
	var got []string
	for _, e := range events {
		if e.Type == ticketing.EventCatalog {
			if !strings.HasPrefix(e.By, "cli:") {
				t.Errorf("event by %q", e.By)
			}
			got = append(got, e.Text)
		}
	}
	want := []string{
		"catalogo prodotti: voce nascosta",
		"catalogo processi: voce nascosta",
		"catalogo prodotti: voce di nuovo visibile",
		`catalogo prodotti: azienda = "Software Veneto S.p.A."; servizi = "MyPay"; versione = "4.3"`,
		`catalogo processi: azienda = "Software Veneto S.p.A."`,
		"catalogo prodotti: versione come nei moduli",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
