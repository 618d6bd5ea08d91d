package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mailbot/internal/localmail"
	"mailbot/ticketing"
)

// ticketFixture is a config against an in-process SMTP server and a database holding one
// integration waiting for its test credentials.
func ticketFixture(t *testing.T) (cfg, id string, l *localmail.LocalMail) {
	t.Helper()
	l, err := localmail.Start("referente@comune.venezia.it")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(l.Close)
	dir := t.TempDir()
	cfg = filepath.Join(dir, "mailbot.toml")
	os.WriteFile(cfg, []byte(`data_dir = "`+filepath.ToSlash(dir)+`"
reply_from = "Regione del Veneto <call.center@regione.veneto.it>"
[[mailbox]]
name = "callcenter"
address = "call.center@regione.veneto.it"
imap_addr = "`+l.IMAPAddr+`"
tls = "none"
username = "call.center@regione.veneto.it"
password = "secret"
[smtp]
addr = "`+l.SMTPAddr+`"
tls = "none"
`), 0o600)
	s, err := ticketing.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	now := time.Now()
	err = s.Update(context.Background(), func(tx *ticketing.Tx) error {
		tk, err := tx.NewTicket(ticketing.KindIntegration, "Richiesta integrazione", "referente@comune.venezia.it", "referente@comune.venezia.it", now, time.UTC)
		if err != nil {
			return err
		}
		id = tk.ID
		if err := tx.SetEnte(id, ticketing.Ente{Name: "Comune di Venezia", CodiceFiscale: "00339370272", CodiceIPA: "c_l736"}, []string{"MyPay"}, now); err != nil {
			return err
		}
		return tx.SetState(id, ticketing.StateTestSetup, "test", "", now)
	})
	if err != nil {
		t.Fatal(err)
	}
	return cfg, id, l
}

func runCLI(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestTicketSendCredentials(t *testing.T) {
	cfg, id, l := ticketFixture(t)
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.toml")
	os.WriteFile(bad, []byte("codice_ipa = \"c_l736\"\npassword_mypay = \"Segreta-CLI-1\"\npasword_mypivot = \"typo\"\n"), 0o600)
	code, _, stderr := runCLI("ticket", "send-credentials", "-config", cfg, "-env", "collaudo", "-values", bad, id)
	if code == 0 || !strings.Contains(stderr, `"pasword_mypivot"`) || !strings.Contains(stderr, "nothing sent") {
		t.Fatalf("unknown key: exit %d, stderr %q", code, stderr)
	}
	missing := filepath.Join(dir, "missing.toml")
	os.WriteFile(missing, []byte("password_mypay = \"x\"\n"), 0o600)
	if code, _, stderr := runCLI("ticket", "send-credentials", "-config", cfg, "-env", "collaudo", "-values", missing, id); code == 0 || !strings.Contains(stderr, "codice_ipa") {
		t.Fatalf("missing key: exit %d, stderr %q", code, stderr)
	}
	if n := len(l.Delivered()); n != 0 {
		t.Fatalf("%d mails sent by refused commands", n)
	}

	good := filepath.Join(dir, "good.toml")
	os.WriteFile(good, []byte("codice_ipa = \"c_l736\"\npassword_mypay = \"Segreta-CLI-1\"\nendpoint_mypay = \"https://mypay-coll.example/ws\"\n"), 0o600)
	code, stdout, stderr := runCLI("ticket", "send-credentials", "-config", cfg, "-env", "collaudo", "-values", good, id)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "credenziali inviate") {
		t.Errorf("stdout %q", stdout)
	}
	sent := l.DeliveredTo("referente@comune.venezia.it")
	if len(sent) != 1 || !bytes.Contains(sent[0].Raw, []byte("Segreta-CLI-1")) {
		t.Fatalf("credentials mail not delivered: %d", len(sent))
	}

	// tickets show -json: the new state, the events, and never the secret.
	code, stdout, _ = runCLI("tickets", "show", "-config", cfg, "-json", id)
	if code != 0 || strings.Contains(stdout, "Segreta-CLI-1") {
		t.Fatalf("show: exit %d, secret shown: %v", code, strings.Contains(stdout, "Segreta-CLI-1"))
	}
	var shown struct {
		State    string              `json:"state"`
		IPs      map[string][]string `json:"ips"`
		Messages []json.RawMessage   `json:"messages"`
		Events   []struct{ Type, By string }
	}
	if err := json.Unmarshal([]byte(stdout), &shown); err != nil {
		t.Fatal(err)
	}
	if shown.State != ticketing.StateTesting || shown.IPs["collaudo"] == nil || shown.IPs["esercizio"] == nil || len(shown.Messages) != 1 {
		t.Errorf("show: %+v", shown)
	}
	// A second send in the wrong state is refused.
	if code, _, _ := runCLI("ticket", "send-credentials", "-config", cfg, "-env", "collaudo", "-values", good, id); code == 0 {
		t.Error("credentials sent twice")
	}
}

func TestTicketsListJSON(t *testing.T) {
	cfg, id, _ := ticketFixture(t)
	if code, _, stderr := runCLI("ticket", "note", "-config", cfg, id, "documenti", "verificati"); code != 0 {
		t.Fatalf("note: %s", stderr)
	}
	// Nobody on the staff list is called mario.rossi: refused, with what is valid.
	if code, _, stderr := runCLI("ticket", "assign", "-config", cfg, id, "mario.rossi"); code == 0 || !strings.Contains(stderr, "si può assegnare a: regione, nessuno") {
		t.Errorf("assign to someone not on the staff list: %d %s", code, stderr)
	}
	if code, _, stderr := runCLI("ticket", "assign", "-config", cfg, id, "regione"); code != 0 {
		t.Fatalf("assign: %s", stderr)
	}
	if code, _, _ := runCLI("ticket", "state", "-config", cfg, id, "completed"); code == 0 {
		t.Error("an invalid transition was accepted")
	}
	code, stdout, stderr := runCLI("tickets", "list", "-config", cfg, "-json")
	if code != 0 {
		t.Fatal(stderr)
	}
	var list []map[string]any
	if err := json.Unmarshal([]byte(stdout), &list); err != nil || len(list) != 1 {
		t.Fatalf("%v: %s", err, stdout)
	}
	for _, k := range []string{"id", "kind", "state", "waiting_on", "subject", "requester", "ente", "services", "created_at", "updated_at", "messages"} {
		if _, ok := list[0][k]; !ok {
			t.Errorf("tickets list -json lacks %q", k)
		}
	}
	if list[0]["waiting_on"] != "regione" || list[0]["ente"].(map[string]any)["codice_ipa"] != "c_l736" {
		t.Errorf("ticket %v", list[0])
	}
	_, stdout, _ = runCLI("tickets", "show", "-config", cfg, "-json", id)
	if !strings.Contains(stdout, `"type": "note"`) || !strings.Contains(stdout, "documenti verificati") {
		t.Errorf("the note is not an event of type note:\n%s", stdout)
	}
}

// TestTicketAcceptReject: `mailbot ticket accept|reject ID N` decides a value proposed by mail
// (issue 19 item 4) as #accetta and #rifiuta do: accepted caller IPs are enabled, a rejected
// IBAN is not, and a decided proposal cannot be decided again.
func TestTicketAcceptReject(t *testing.T) {
	cfg, id, _ := ticketFixture(t)
	s, err := ticketing.Open(filepath.Dir(cfg))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	err = s.Update(context.Background(), func(tx *ticketing.Tx) error {
		for _, p := range []ticketing.Proposal{
			{TicketID: id, Field: "ip_esercizio", Value: "203.0.113.10", MessageID: "m1@comune.venezia.it", Document: "testo del messaggio", CreatedAt: now},
			{TicketID: id, Field: "tipi_dovuto.iban", FormType: "informativa_generale", Old: "IT55R0306902117100000046001",
				Value: "IT60X0542811101000000123456", MessageID: "m2@comune.venezia.it", Document: "informativa.pdf", CreatedAt: now},
		} {
			if _, err := tx.AddProposal(p); err != nil {
				return err
			}
		}
		return nil
	})
	s.Close()
	if err != nil {
		t.Fatal(err)
	}
	if code, stdout, _ := runCLI("tickets", "show", "-config", cfg, id); code != 0 || !strings.Contains(stdout, `Proposed:  1. ip_esercizio "" -> "203.0.113.10"`) {
		t.Errorf("tickets show does not list the pending proposals:\n%s", stdout)
	}
	if code, stdout, stderr := runCLI("ticket", "accept", "-config", cfg, id, "1"); code != 0 || !strings.Contains(stdout, "modifica applicata") {
		t.Fatalf("accept: exit %d, %q %q", code, stdout, stderr)
	}
	if code, stdout, stderr := runCLI("ticket", "reject", "-config", cfg, id, "2", "non", "richiesto"); code != 0 || !strings.Contains(stdout, "modifica respinta") {
		t.Fatalf("reject: exit %d, %q %q", code, stdout, stderr)
	}
	if code, _, stderr := runCLI("ticket", "accept", "-config", cfg, id, "2"); code == 0 || !strings.Contains(stderr, "già stata respinta") {
		t.Errorf("accepting a rejected proposal: exit %d, %q", code, stderr)
	}
	if code, _, stderr := runCLI("ticket", "accept", "-config", cfg, id, "7"); code == 0 || !strings.Contains(stderr, "n. 7") {
		t.Errorf("accepting no proposal: exit %d, %q", code, stderr)
	}
	code, stdout, _ := runCLI("tickets", "show", "-config", cfg, "-json", id)
	var shown struct {
		IPs       map[string][]string       `json:"ips"`
		CaseFile  map[string]ticketing.Form `json:"case_file"`
		Proposals []ticketing.Proposal      `json:"proposals"`
	}
	if err := json.Unmarshal([]byte(stdout), &shown); code != 0 || err != nil {
		t.Fatalf("show: exit %d, %v", code, err)
	}
	if strings.Join(shown.IPs["esercizio"], ",") != "203.0.113.10" {
		t.Errorf("production IPs %v, want the accepted one", shown.IPs)
	}
	if iban := shown.CaseFile["informativa_generale"].Field("tipi_dovuto.iban"); iban != "" {
		t.Errorf("the rejected IBAN is the case's: %q", iban)
	}
	if len(shown.Proposals) != 2 || shown.Proposals[0].State != ticketing.ProposalConfirmed || shown.Proposals[1].State != ticketing.ProposalRejected {
		t.Errorf("proposals shown %+v", shown.Proposals)
	}
}
