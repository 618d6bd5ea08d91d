package mailbot

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-message/mail"

	"mailbot/internal/formgen"
	"mailbot/internal/wait"
	"mailbot/parsers"
	"mailbot/ticketing"
)

const (
	staffOne = "staff1@regione.veneto.it"
	referent = "referente@comune.venezia.it"
	company  = "tecnico@softwarehouse.example.it"
)

// staffAuth is what the Region's border MTA adds to mail its users send: DKIM and DMARC pass.
const staffAuth = "Authentication-Results: mx.regione.veneto.it; dkim=pass header.d=regione.veneto.it; dmarc=pass header.from=regione.veneto.it"

// lockedBuffer collects the daemon's logs across goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// lifecycle is a harness with staff configured and logs captured.
func newLifecycle(t *testing.T, edit ...func(*Config)) (*harness, *lockedBuffer) {
	h := newHarness(t, append([]func(*Config){func(c *Config) {
		c.Staff.Addresses = []string{staffOne}
		c.Staff.TrustedAuthservID = "mx.regione.veneto.it"
	}}, edit...)...)
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
	return h, logs
}

// mimeMail builds a message with a text body and attachments.
func mimeMail(from, to, subject, msgID, body string, headers []string, files map[string][]byte) string {
	var b strings.Builder
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <%s>\r\nMIME-Version: 1.0\r\n",
		from, to, subject, time.Now().Format(time.RFC1123Z), msgID)
	for _, h := range headers {
		b.WriteString(h + "\r\n")
	}
	if len(files) == 0 {
		fmt.Fprintf(&b, "Content-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n", body)
		return b.String()
	}
	b.WriteString("Content-Type: multipart/mixed; boundary=\"XX\"\r\n\r\n--XX\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + body + "\r\n")
	for _, name := range slices.Sorted(maps.Keys(files)) { // in name order: tests may depend on it
		data := files[name]
		fmt.Fprintf(&b, "--XX\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"%s\"\r\nContent-Transfer-Encoding: base64\r\n\r\n", name)
		enc := base64.StdEncoding.EncodeToString(data)
		for len(enc) > 76 {
			b.WriteString(enc[:76] + "\r\n")
			enc = enc[76:]
		}
		b.WriteString(enc + "\r\n")
	}
	b.WriteString("--XX--\r\n")
	return b.String()
}

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "forms", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (h *harness) ticket(id string) *ticketing.Ticket {
	h.t.Helper()
	tk, err := h.d.Store.Ticket(context.Background(), id)
	if err != nil {
		h.t.Fatal(err)
	}
	return tk
}

// waitState waits for a ticket to reach a state and for the outbox to drain.
func (h *harness) waitState(id, state string) {
	h.t.Helper()
	wait.For(h.t, id+" in "+state, func() bool {
		tk, err := h.d.Store.Ticket(context.Background(), id)
		_, pending, _ := h.d.Store.NextDue(context.Background())
		return err == nil && tk.State == state && !pending
	})
}

// textOf returns the decoded text part of a mail.
func textOf(t *testing.T, raw []byte) string {
	t.Helper()
	r, err := mail.CreateReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	for {
		p, err := r.NextPart()
		if err != nil {
			return ""
		}
		if ct, _, _ := p.Header.(*mail.InlineHeader).ContentType(); ct == "text/plain" {
			b, _ := io.ReadAll(p.Body)
			return string(b)
		}
	}
}

func (h *harness) lastTo(addr string) (string, string) {
	h.t.Helper()
	got := h.mail.DeliveredTo(addr)
	if len(got) == 0 {
		h.t.Fatalf("no mail to %s", addr)
	}
	raw := got[len(got)-1].Raw
	env, _ := parsers.ReadEnvelope(bytes.NewReader(raw))
	return env.Subject, textOf(h.t, raw)
}

// TestIntegrationByEmailFromRequestToCompleted walks an ente through the four steps by email,
// with staff acting by authenticated mail and by the CLI's code path, a forged staff command in
// between, and checks that no credential survives in the database, the stored mail or the logs.
func TestIntegrationByEmailFromRequestToCompleted(t *testing.T) {
	h, logs := newLifecycle(t)
	ctx := context.Background()

	// Step 1: the request with both forms.
	h.deliver(mimeMail("Mario Rossi <"+referent+">", CallCenter+"\r\nCc: "+Cluster, "Richiesta integrazione MyPay e MyPivot", "s1@comune.venezia.it",
		"Buongiorno, chiediamo l'integrazione con MyPay e MyPivot. In allegato i moduli.", nil,
		map[string][]byte{"informativa.docx": fixture(t, "informativa_generale_venezia.docx"),
			"ente-prodotto.pdf": fixture(t, "qualificazione_ente_prodotto_venezia.pdf")}))
	wait.For(t, "the ticket", func() bool { return len(h.tickets()) == 1 })
	id := h.tickets()[0].ID
	h.waitState(id, ticketing.StateTestSetup)
	tk := h.ticket(id)
	if tk.Ente != (ticketing.Ente{Name: "Comune di Venezia", CodiceFiscale: "00339370272", CodiceIPA: "c_l736"}) ||
		strings.Join(tk.Services, ",") != "MyPay,MyPivot" {
		t.Fatalf("ente %+v services %v", tk.Ente, tk.Services)
	}
	if _, text := h.lastTo(referent); !strings.Contains(text, "ambiente di collaudo") {
		t.Errorf("ack does not announce the test environment:\n%s", text)
	}
	if subj, text := h.lastTo(staffOne); !strings.Contains(subj, id) || !strings.Contains(subj, "richiesta completa") {
		t.Errorf("staff notice subject %q", subj)
	} else if !strings.Contains(text, "tocca a: regione") {
		t.Errorf("staff notice of a case now in test_setup does not say it is the Region's turn:\n%s", text)
	}

	// A forged staff command: right From, no authentication. Nothing changes; staff are warned.
	forged := mimeMail(staffOne, CallCenter, "Re: ["+id+"]", "forged@x", "#stato testing\n#credenziali collaudo\ncodice_ipa: c_l736\npassword_mypay: Rubata123", nil, nil)
	h.deliver(forged)
	defer func() {
		if t.Failed() {
			for _, d := range h.mail.Delivered() {
				env, _ := parsers.ReadEnvelope(bytes.NewReader(d.Raw))
				t.Logf("sent to %v: %s", d.To, env.Subject)
			}
			evs, _ := h.d.Store.Events(ctx, id)
			for _, e := range evs {
				t.Logf("event %s %s %s", e.Type, e.By, e.Text)
			}
		}
	}()
	wait.For(t, "the security warning", func() bool {
		subj, _ := h.lastTo(staffOne)
		return strings.Contains(subj, "non autenticato")
	})
	if tk := h.ticket(id); tk.State != ticketing.StateTestSetup {
		t.Fatalf("forged command changed the state to %s", tk.State)
	}
	// A header claiming authentication from another server is no better.
	h.deliver(mimeMail(staffOne, CallCenter, "Re: ["+id+"]", "forged2@x", "#stato testing", []string{
		"Authentication-Results: evil.example.org; dkim=pass header.d=regione.veneto.it"}, nil))

	// Step 2: staff send the test credentials by authenticated mail.
	const pwTest, pwPivot = "Coll4ud0-MyPay", "Coll4ud0-Pivot"
	h.deliver(mimeMail(staffOne, CallCenter, "Re: ["+id+"] richiesta completa", "cred1@regione.veneto.it",
		"#assegna staff1@regione.veneto.it\n#nota documenti verificati\n#credenziali collaudo\ncodice_ipa: c_l736\npassword_mypay: "+pwTest+
			"\npassword_mypivot: "+pwPivot+"\nendpoint_mypay: https://mypay-coll.regione.veneto.it/ws\n\nGrazie", []string{staffAuth}, nil))
	h.waitState(id, ticketing.StateTesting)
	if subj, text := h.lastTo(referent); !strings.Contains(subj, "Credenziali di collaudo") || !strings.Contains(text, pwTest) || !strings.Contains(text, "carte di credito di collaudo") {
		t.Errorf("credentials mail %q:\n%s", subj, text)
	}
	if _, text := h.lastTo(staffOne); !strings.Contains(text, "credenziali inviate") || !strings.Contains(text, "assegnata a") {
		t.Errorf("staff result:\n%s", text)
	}
	if tk := h.ticket(id); tk.Assignee != staffOne {
		t.Errorf("assignee %q", tk.Assignee)
	}

	// Step 3, first try: a private address is refused with a precise request; state unchanged.
	h.deliver(mimeMail(referent, CallCenter, "Re: Credenziali di collaudo ["+id+"]", "s3a@comune.venezia.it",
		"Esiti dei test: positivo, pagamenti di prova eseguiti.\nChiediamo l'attivazione in esercizio.\nIP: 192.168.1.20", nil, nil))
	wait.For(t, "the request for valid IPs", func() bool {
		_, text := h.lastTo(referent)
		return strings.Contains(text, "192.168.1.20")
	})
	if tk := h.ticket(id); tk.State != ticketing.StateTesting {
		t.Fatalf("state %s after a private IP", tk.State)
	}
	// Then right.
	h.deliver(mimeMail(referent, CallCenter, "Re: Credenziali di collaudo ["+id+"]", "s3b@comune.venezia.it",
		"Esiti dei test: positivo, pagamenti di prova eseguiti.\nRichiesta attivazione in esercizio.\nIP: 203.0.113.10, 198.51.100.0/28", nil, nil))
	h.waitState(id, ticketing.StateProductionSetup)
	// The IPs are a proposal until staff accept it (issue 19 item 4).
	if ips, _ := h.d.Store.IPs(ctx, id); len(ips["esercizio"]) != 0 {
		t.Errorf("production IPs enabled before anyone accepted them: %v", ips)
	}
	if _, err := h.d.Intake.Apply(ctx, id, "accetta", "1", nil, "cli:test"); err != nil {
		t.Fatal(err)
	}
	ips, _ := h.d.Store.IPs(ctx, id)
	if strings.Join(ips["esercizio"], ",") != "198.51.100.0/28,203.0.113.10" && strings.Join(ips["esercizio"], ",") != "203.0.113.10,198.51.100.0/28" {
		t.Errorf("ips %v", ips)
	}

	// Step 4: production credentials by the CLI's code path.
	const pwProd = "Pr0duz10ne-MyPay"
	if _, err := h.d.Intake.Apply(ctx, id, "credenziali", "esercizio", map[string]string{"codice_ipa": "c_l736", "password_mypay": pwProd}, "cli:test"); err != nil {
		t.Fatal(err)
	}
	h.waitState(id, ticketing.StateProductionCheck)
	// A refused CLI command changes nothing and says why.
	if _, err := h.d.Intake.Apply(ctx, id, "credenziali", "esercizio", map[string]string{"codice_ipa": "c_l736", "password_mypay": "x"}, "cli:test"); err == nil {
		t.Error("credentials in the wrong state were accepted")
	}

	// Step 4b: the real payment.
	h.deliver(mimeMail(referent, CallCenter, "Re: Credenziali di esercizio ["+id+"]", "s4@comune.venezia.it",
		"Abbiamo effettuato il pagamento reale in esercizio, è andato a buon fine.", nil, nil))
	h.waitState(id, ticketing.StateCompleted)
	if _, text := h.lastTo(referent); !strings.Contains(text, "completata") {
		t.Errorf("completion mail:\n%s", text)
	}

	events, _ := h.d.Store.Events(ctx, id)
	var security, notes int
	for _, e := range events {
		switch e.Type {
		case ticketing.EventSecurity:
			security++
		case ticketing.EventNote:
			notes++
		}
	}
	if security != 2 || notes != 1 {
		t.Errorf("security events %d (want 2), notes %d (want 1)", security, notes)
	}

	// No credential left anywhere mailbot keeps things, nor in its logs: neither the ones sent
	// nor the forged command's.
	h.stop()
	for _, where := range secretsAtRest(h, logs, pwTest, pwPivot, pwProd, "Rubata123") {
		t.Error(where)
	}
}

// secretsAtRest says where any of secrets is kept: the database and its write-ahead log, the
// stored messages, any other file under the data directory, the logs.
func secretsAtRest(h *harness, logs *lockedBuffer, secrets ...string) []string {
	var found []string
	for _, secret := range secrets {
		if strings.Contains(logs.String(), secret) {
			found = append(found, fmt.Sprintf("log contains %q", secret))
		}
		filepath.Walk(h.cfg.DataDir, func(path string, info os.FileInfo, err error) error {
			if err != nil || info.IsDir() {
				return nil // a file removed meanwhile
			}
			b, _ := os.ReadFile(path)
			if bytes.Contains(b, []byte(secret)) {
				found = append(found, fmt.Sprintf("%s contains %q", path, secret))
			}
			return nil
		})
	}
	return found
}

// TestProductQualifiedThroughPilot: a company's qualification becomes qualified when its pilot
// ente completes an integration with that product.
func TestProductQualifiedThroughPilot(t *testing.T) {
	h, _ := newLifecycle(t)
	ctx := context.Background()
	fill := func(formType string, values map[string]string) []byte {
		b, err := formgen.Fill(formType, "docx", values)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	azienda := map[string]string{"azienda.ragione_sociale": "Software Veneto S.r.l.", "azienda.partita_iva": "04123456784"}
	with := func(extra map[string]string) map[string]string {
		m := map[string]string{}
		for k, v := range azienda {
			m[k] = v
		}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	h.deliver(mimeMail(company, CallCenter, "Domanda di qualificazione prodotto TributiWeb", "q1@softwarehouse.example.it", "In allegato la domanda.", nil,
		map[string][]byte{
			"domanda.docx":  fill(parsers.FormDomandaInvito, with(map[string]string{"referente.nome": "Anna Neri", "referente.email": company, "prodotti": "TributiWeb", "azienda.pec": "softwareveneto@legalmail.it"})),
			"prodotto.docx": fill(parsers.FormQualificazioneProdotto, with(map[string]string{"prodotto.nome": "TributiWeb", "prodotto.versione": "4.2.1", "servizi": "MyPay, MyPivot", "ente_pilota.denominazione": "Comune di Venezia", "ente_pilota.codice_ipa": "c_l736", "azienda.pec": "softwareveneto@legalmail.it"})),
			"processo.docx": fill(parsers.FormQualificazioneProcesso, with(map[string]string{"processo.nome": "Accompagnamento tributi", "processo.fasi": "analisi, configurazione, collaudo", "processo.prodotti": "TributiWeb"})),
		}))
	wait.For(t, "the qualification ticket", func() bool { return len(h.tickets()) == 1 })
	qid := h.tickets()[0].ID
	if !strings.HasPrefix(qid, "QUA-") {
		t.Fatalf("qualification ticket %s", qid)
	}
	h.waitState(qid, ticketing.StateUnderReview)
	if _, err := h.d.Intake.Apply(ctx, qid, "stato", "pilot", nil, "cli:test"); err != nil {
		t.Fatal(err)
	}

	// The pilot ente's integration, from request to completed.
	h.deliver(mimeMail(referent, CallCenter, "Richiesta integrazione", "p1@comune.venezia.it", "Chiediamo l'integrazione.", nil,
		map[string][]byte{"informativa.pdf": fixture(t, "informativa_generale_venezia.pdf"), "qep.odt": fixture(t, "qualificazione_ente_prodotto_venezia.odt")}))
	wait.For(t, "the integration ticket", func() bool { return len(h.tickets()) == 2 })
	iid := h.tickets()[1].ID
	h.waitState(iid, ticketing.StateTestSetup)
	for _, step := range []struct{ name, arg string }{{"stato", "testing"}, {"stato", "production_setup"}, {"stato", "production_check"}, {"chiudi", ""}} {
		if _, err := h.d.Intake.Apply(ctx, iid, step.name, step.arg, nil, "cli:test"); err != nil {
			t.Fatalf("%s %s: %v", step.name, step.arg, err)
		}
	}
	h.waitState(qid, ticketing.StateQualified)
	if subj, text := h.lastTo(company); !strings.Contains(subj, qid) || !strings.Contains(text, "TributiWeb") || !strings.Contains(text, "qualificato") {
		t.Errorf("company told %q:\n%s", subj, text)
	}
}

// ticked rewrites one entry of a zipped fixture (DOCX, ODT), replacing old with new: the form
// as an office fills it in its own way.
func ticked(t *testing.T, name, entry, old, new string) []byte {
	t.Helper()
	src := fixture(t, name)
	zr, err := zip.NewReader(bytes.NewReader(src), int64(len(src)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	replaced := false
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		if f.Name == entry && bytes.Contains(b, []byte(old)) {
			b, replaced = bytes.ReplaceAll(b, []byte(old), []byte(new)), true
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f.Name, Method: f.Method})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(b)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if !replaced {
		t.Fatalf("%s: %q not found in %s", name, old, entry)
	}
	return out.Bytes()
}

// bothTicked are the two integration forms of Comune di Venezia with both services ticked in
// check boxes (☒ MyPay ☒ MyPivot), the most common request of all.
func bothTicked(t *testing.T) map[string][]byte {
	return map[string][]byte{
		"informativa.docx": ticked(t, "informativa_generale_venezia.docx", "word/document.xml",
			`<w:t xml:space="preserve">MyPay, MyPivot</w:t>`, `<w:t xml:space="preserve">☒ MyPay   ☒ MyPivot</w:t>`),
		"qep.odt": ticked(t, "qualificazione_ente_prodotto_venezia.odt", "content.xml",
			`MyPay, MyPivot<text:bookmark-end text:name="servizi"/></text:p>`, `<text:bookmark-end text:name="servizi"/></text:p><text:p>☑ MyPay</text:p><text:p>☑ MyPivot</text:p>`),
	}
}

// TestBothServicesTicked (issue 18 item 5): a complete request asking for both services with
// ticked check boxes reaches test_setup by itself, both services on the case, and nobody is
// told that a person must check the documents.
func TestBothServicesTicked(t *testing.T) {
	h, _ := newLifecycle(t)
	h.deliver(mimeMail("Mario Rossi <"+referent+">", CallCenter+"\r\nCc: "+Cluster, "Richiesta integrazione MyPay e MyPivot", "both@comune.venezia.it",
		"Buongiorno, in allegato i moduli compilati.", nil, bothTicked(t)))
	wait.For(t, "the ticket", func() bool { return len(h.tickets()) == 1 })
	id := h.tickets()[0].ID
	h.waitState(id, ticketing.StateTestSetup)
	tk := h.ticket(id)
	if strings.Join(tk.Services, ",") != "MyPay,MyPivot" || tk.Flag != "" {
		t.Errorf("services %v, flag %q", tk.Services, tk.Flag)
	}
	if _, text := h.lastTo(referent); !strings.Contains(text, "ambiente di collaudo") {
		t.Errorf("ack does not announce the test environment:\n%s", text)
	}
}
