package mailbot

import (
	"bytes"
	"context"
	"image/png"
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/emersion/go-message/mail"

	"mailbot/parsers"
	"mailbot/ticketing"
)

// pipelineFixture is a database with cases in every state, as on the morning of Tuesday
// 31 March 2026 (the previous digest went out on Monday at 08:00).
func pipelineFixture(t *testing.T) (*schedFixture, map[string]string) {
	f := newSchedFixture(t)
	I, Q := ticketing.KindIntegration, ticketing.KindQualification
	ids := map[string]string{}
	ids["venezia"] = f.open(f.at("2026-03-02 10:00"), I, "Richiesta integrazione MyPay", "pagamenti@comune.venezia.it",
		"Comune di Venezia", "test_setup", "testing") // silent since: stalled below
	ids["padova"] = f.open(f.at("2026-03-19 11:00"), I, "Attivazione MyPay e MyPivot", "ragioneria@comune.padova.it",
		"Comune di Padova", "test_setup") // the Region's turn for 8 working days
	f.assign(ids["padova"], "Mario Rossi")
	ids["treviso"] = f.open(f.at("2026-03-27 09:00"), I, "Adesione MyPay", "tributi@comune.treviso.it",
		"Comune di Treviso") // waiting for documents since Friday
	ids["verona"] = f.open(f.at("2026-03-10 09:00"), I, "MyPay Verona", "servizi@comune.verona.it", "Comune di Verona",
		"test_setup", "testing")
	f.move(ids["verona"], f.at("2026-03-30 15:00"), "production_setup") // moved yesterday
	f.assign(ids["verona"], staff2)
	ids["vicenza"] = f.open(f.at("2026-02-02 09:00"), I, "Integrazione Vicenza", "econ@comune.vicenza.it", "Comune di Vicenza",
		"test_setup", "testing", "production_setup", "production_check")
	f.move(ids["vicenza"], f.at("2026-03-30 16:00"), "completed") // closed yesterday
	ids["rovigo"] = f.open(f.at("2026-03-24 10:00"), I, "Integrazione Rovigo", "ced@comune.rovigo.it", "Comune di Rovigo",
		"test_setup", "testing", "production_setup", "production_check")
	f.assign(ids["rovigo"], staff2)
	ids["belluno"] = f.open(f.at("2026-03-30 10:30"), I, "Richiesta MyPivot", "ragioneria@comune.belluno.it", "") // new yesterday
	ids["softhouse"] = f.open(f.at("2026-03-20 10:00"), Q, "Qualificazione prodotto PagoFacile", "info@softhouse.example.it",
		"", "under_review") // the Region's turn for 7 working days
	ids["annullata"] = f.open(f.at("2026-01-12 10:00"), I, "Richiesta errata", "x@comune.adria.it", "", "cancelled")

	// Venice got three reminders and was flagged stalled on Monday morning.
	for _, day := range []string{"2026-03-09 09:00", "2026-03-16 09:00", "2026-03-23 09:00", "2026-03-30 09:00"} {
		f.run(f.at(day))
	}
	// Monday's digest went out at 08:00.
	if err := f.store.Update(context.Background(), func(tx *ticketing.Tx) error {
		return tx.RecordSent(ticketing.Sent{Kind: ticketing.SentDigest, Anchor: "2026-03-30", Seq: 1, At: f.at("2026-03-30 08:00")})
	}); err != nil {
		t.Fatal(err)
	}
	return f, ids
}

func TestDigestSaysWhatIsPendingAndWhoMustAct(t *testing.T) {
	f, ids := pipelineFixture(t)
	// What waits for a person besides the Region's turn: a doubt and an untrusted message.
	if err := f.store.Update(context.Background(), func(tx *ticketing.Tx) error {
		if err := tx.SetFlag(ids["padova"], ticketing.FlagChecking, "dati da verificare", "test", f.at("2026-03-30 12:00")); err != nil {
			return err
		}
		if _, err := tx.AddProposal(ticketing.Proposal{TicketID: ids["belluno"], Field: parsers.KeyTipiDovutoIban, Old: "IT55R0306902117100000046001",
			Value: "IT60X0542811101000000123456", MessageID: "m@comune.belluno.it", CreatedAt: f.at("2026-03-30 12:00")}); err != nil {
			return err
		}
		// A newer proposal for Belluno's IBAN superseded the first.
		if _, err := tx.AddProposal(ticketing.Proposal{TicketID: ids["belluno"], Field: parsers.KeyTipiDovutoIban, Old: "IT55R0306902117100000046001",
			Value: "IT07X0542811101000000654321", MessageID: "m2@comune.belluno.it", CreatedAt: f.at("2026-03-30 13:00")}); err != nil {
			return err
		}
		if err := tx.SupersedeProposal(ids["belluno"], 1, 2, f.at("2026-03-30 13:00")); err != nil {
			return err
		}
		return tx.SetFlag(ids["belluno"], ticketing.FlagUntrusted, "mittente non verificato", "test", f.at("2026-03-30 12:00"))
	}); err != nil {
		t.Fatal(err)
	}
	g := NewDigester(f.cfg, f.store, f.log)
	body, chart, err := g.Compose(context.Background(), f.at("2026-03-31 08:00"))
	if err != nil {
		t.Fatal(err)
	}
	text := body.Text
	for _, want := range []string{
		"Riepilogo delle pratiche PagoPA – martedì 31/03/2026",
		"Aperte: 7 (tocca alla Regione: 3, agli enti: 4). Chiuse finora: 1 completata, 1 annullata.",
		"test_setup         predisposizione ambiente di collaudo   Regione    1",
		"awaiting_documents in attesa dei documenti                ente       2",
		"under_review       in valutazione",
		"DAL 30/03/2026 08:00",
		"Dettagli di una pratica: mailbot tickets show ID",
		"Pratiche con dati letti in dubbio, da confermare (#conferma) o correggere (#campo): 1.",
		"Pratiche con un messaggio di mittente non verificato, da valutare: 1.",
		"Pratiche con modifiche proposte per email (IBAN, indirizzi email e PEC, IP di esercizio), da accettare (#accetta) o respingere (#rifiuta): 1.",
		"Modifiche proposte sostituite da una più recente per lo stesso campo dal 30/03/2026 08:00 (non si possono più accettare; si decide la più recente): 1.",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("digest lacks %q", want)
		}
	}
	// Stalled, oldest first: Venice (silent since 2 March), Padua (8 working days on the
	// Region's side), the company (7). Rovigo, Treviso and Verona are within their thresholds.
	stalled := section(text, "FERME", "DAL ")
	order := []string{ids["venezia"], ids["padova"], ids["softhouse"]}
	last := -1
	for _, id := range order {
		i := strings.Index(stalled, id)
		if i < 0 || i < last {
			t.Errorf("stalled section lacks %s or has it out of order:\n%s", id, stalled)
		}
		last = i
	}
	for _, id := range []string{ids["rovigo"], ids["treviso"], ids["verona"], ids["vicenza"]} {
		if strings.Contains(stalled, id) {
			t.Errorf("stalled section names %s:\n%s", id, stalled)
		}
	}
	if !strings.Contains(stalled, "  8 gg lav. (dal 19/03/2026)") || !strings.Contains(stalled, "nessuna risposta dell'ente ai solleciti") {
		t.Errorf("stalled section lacks ages or reasons:\n%s", stalled)
	}
	changes := section(text, "DAL ", "CARICO")
	for _, c := range []struct{ part, id string }{{"Aperte:", ids["belluno"]}, {"Avanzate:", ids["verona"]}, {"Chiuse:", ids["vicenza"]}} {
		if !strings.Contains(section(changes, c.part, "\n  "+nextPart(c.part)), c.id) {
			t.Errorf("%s lacks %s:\n%s", c.part, c.id, changes)
		}
	}
	if strings.Contains(changes, ids["treviso"]) {
		t.Errorf("Treviso opened before the last digest but is listed:\n%s", changes)
	}
	load := section(text, "CARICO", "Dettagli")
	if !strings.Contains(load, staff2+strings.Repeat(" ", 40-len(staff2))+"   2   1   0") {
		t.Errorf("load lacks staff2 with 2 open, 1 on the Region's side:\n%s", load)
	}
	if !strings.Contains(load, "Mario Rossi") || !strings.Contains(load, "(non assegnate)") {
		t.Errorf("load lacks assignees:\n%s", load)
	}
	// The HTML says the same and shows the chart.
	for _, want := range []string{`src="cid:pipeline.png"`, ids["venezia"], ids["padova"], "<code>test_setup</code>", "Mario Rossi"} {
		if !strings.Contains(body.HTML, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	img, err := png.Decode(bytes.NewReader(chart))
	if err != nil {
		t.Fatalf("chart: %v", err)
	}
	// Two headings, five integration and three qualification states, title and legend.
	if b := img.Bounds(); b.Dx() != chartWidth || b.Dy() != 40+10*chartRow+40 {
		t.Errorf("chart is %v", b)
	}
}

func section(s, from, to string) string {
	i := strings.Index(s, from)
	if i < 0 {
		return ""
	}
	s = s[i:]
	if j := strings.Index(s[len(from):], to); j >= 0 {
		return s[:len(from)+j]
	}
	return s
}

func nextPart(p string) string {
	switch p {
	case "Aperte:":
		return "Avanzate:"
	case "Avanzate:":
		return "Chiuse:"
	}
	return "\n\n"
}

func TestDigestOncePerWorkingDay(t *testing.T) {
	f, _ := pipelineFixture(t)
	g := NewDigester(f.cfg, f.store, f.log)
	for _, c := range []struct {
		at   string
		due  bool
		sent bool
	}{
		{"2026-03-31 07:59", false, false},
		{"2026-03-31 08:00", true, true},
		{"2026-03-31 08:15", true, false},  // already queued today
		{"2026-04-04 08:00", false, false}, // Saturday
		{"2026-04-06 08:00", false, false}, // Easter Monday
		{"2026-04-07 11:40", true, true},   // missed at 08:00 (daemon down), still due
		{"2026-04-07 12:00", true, false},
	} {
		now := f.at(c.at)
		if got := g.DueAt(now); got != c.due {
			t.Errorf("DueAt(%s) = %v, want %v", c.at, got, c.due)
		}
		if !c.due {
			continue
		}
		sent, err := g.Send(context.Background(), now)
		if err != nil || sent != c.sent {
			t.Errorf("Send(%s) = %v, %v; want %v", c.at, sent, err, c.sent)
		}
	}
	n := 0
	for _, m := range f.outbox() {
		if m.Kind == "digest" {
			n++
		}
	}
	if n != 2 { // Tuesday's, and the Tuesday after Easter
		t.Errorf("%d digests queued, want 2", n)
	}
}

var (
	randomIDRE = regexp.MustCompile(`\.[0-9a-f]{18}@`)
	pngBodyRE  = regexp.MustCompile(`(?s)(Content-Type: image/png[^\n]*\r?\n(?:[^\r\n]+\r?\n)*\r?\n)[A-Za-z0-9+/=\r\n]+?(\r?\n--)`)
)

// normaliseScheduled makes a queued mail comparable: stable boundaries and Message-IDs, and the
// chart's bytes left to the chart test.
func normaliseScheduled(raw []byte) []byte {
	raw = normaliseMail(raw)
	raw = randomIDRE.ReplaceAll(raw, []byte(".RANDOM@"))
	return pngBodyRE.ReplaceAll(raw, []byte("${1}(PNG omitted)${2}"))
}

func TestGoldenScheduledMail(t *testing.T) {
	f, ids := pipelineFixture(t)
	if ok, err := NewDigester(f.cfg, f.store, f.log).Send(context.Background(), f.at("2026-03-31 08:00")); err != nil || !ok {
		t.Fatalf("Tuesday's digest: %v %v", ok, err)
	}
	byTicket := map[string][]ticketing.OutMail{}
	due, err := f.store.DueMail(context.Background(), f.at("2100-01-01 00:00"), 1000)
	if err != nil {
		t.Fatal(err)
	}
	var digest []byte
	for _, m := range due {
		byTicket[m.TicketID] = append(byTicket[m.TicketID], m)
		if m.Kind == "digest" {
			digest = m.Raw
		}
	}
	// Padua's escalation goes out on Tuesday morning.
	f.run(f.at("2026-03-31 09:00"))
	due, _ = f.store.DueMail(context.Background(), f.at("2100-01-01 00:00"), 1000)
	var escalation []byte
	for _, m := range due {
		if m.TicketID == ids["padova"] && m.Kind == "escalation" {
			escalation = m.Raw
		}
	}
	venice := byTicket[ids["venezia"]]
	if len(venice) != 4 || escalation == nil || digest == nil {
		t.Fatalf("fixture queued %d mails for Venice, escalation %v, digest %v", len(venice), escalation != nil, digest != nil)
	}
	for _, c := range []struct {
		name string
		raw  []byte
	}{
		{"reminder.eml", venice[0].Raw},
		{"stalled.eml", venice[3].Raw},
		{"escalation.eml", escalation},
		{"digest.eml", digest},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := normaliseScheduled(c.raw)
			golden(t, c.name, got)
			// Every mail parses, with a text and an HTML part that say the same.
			text, html := parts(t, c.raw)
			if text == "" || html == "" {
				t.Errorf("text %d bytes, HTML %d bytes", len(text), len(html))
			}
		})
	}
	text, _ := parts(t, digest)
	golden(t, "digest.txt", []byte(text))
}

// parts returns the decoded text and HTML parts of a mail, and checks an inline image is there
// when the HTML refers to one.
func parts(t *testing.T, raw []byte) (text, html string) {
	t.Helper()
	r, err := mail.CreateReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	var cids []string
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(p.Body)
		switch h := p.Header.(type) {
		case *mail.InlineHeader:
			ct, _, _ := h.ContentType()
			switch ct {
			case "text/plain":
				text = string(b)
			case "text/html":
				html = string(b)
			case "image/png":
				cids = append(cids, strings.Trim(h.Get("Content-Id"), "<>"))
				if _, err := png.Decode(bytes.NewReader(b)); err != nil {
					t.Errorf("inline image: %v", err)
				}
			}
		}
	}
	if strings.Contains(html, "cid:pipeline.png") && (len(cids) != 1 || cids[0] != chartName) {
		t.Errorf("HTML refers to cid:pipeline.png, inline parts %q", cids)
	}
	return text, html
}

// TestDigestAgreesWithMetrics (issue 19): the digest's counts of cases waiting for a person and
// /metrics' mailbot_cases_waiting_for_person come from one query with one definition of an
// open case: a proposal, a doubt or an untrusted message on a qualified, completed or
// cancelled case is counted by neither.
func TestDigestAgreesWithMetrics(t *testing.T) {
	f, ids := pipelineFixture(t)
	ids["qualificata"] = f.open(f.at("2026-03-02 10:00"), ticketing.KindQualification, "Qualificazione prodotto TributiWeb", "info@tributi.example.it",
		"", "under_review", "pilot", "qualified")
	at := f.at("2026-03-30 12:00")
	if err := f.store.Update(context.Background(), func(tx *ticketing.Tx) error {
		for _, id := range []string{ids["belluno"], ids["qualificata"], ids["vicenza"], ids["annullata"], ids["verona"]} {
			if _, err := tx.AddProposal(ticketing.Proposal{TicketID: id, Field: parsers.KeyReferenteEmail, Old: "a@example.org",
				Value: "b@example.org", MessageID: "m@example.org", CreatedAt: at}); err != nil {
				return err
			}
		}
		for id, k := range map[string]ticketing.FlagKind{ids["padova"]: ticketing.FlagChecking, ids["qualificata"]: ticketing.FlagChecking,
			ids["vicenza"]: ticketing.FlagUntrusted, ids["rovigo"]: ticketing.FlagUntrusted, ids["verona"]: ticketing.FlagProposal} {
			if err := tx.SetFlag(id, k, "test", "test", at); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	g := NewDigester(f.cfg, f.store, f.log)
	var d digestData
	if err := f.store.View(context.Background(), func(tx *ticketing.Tx) error {
		var err error
		d, _, err = g.build(tx, f.at("2026-03-31 08:00"))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	st, err := f.store.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	metrics := map[ticketing.FlagKind]int{}
	for _, fs := range st.Flagged {
		metrics[fs.Kind] = fs.Count
	}
	for _, c := range []struct {
		kind         ticketing.FlagKind
		digest, want int
	}{
		{ticketing.FlagProposal, d.Proposals, 2},  // Belluno and Verona; not the qualified, completed or cancelled cases
		{ticketing.FlagChecking, d.Doubts, 1},     // Padova; not the qualified case
		{ticketing.FlagUntrusted, d.Untrusted, 1}, // Rovigo; not the completed case
	} {
		if c.digest != c.want || metrics[c.kind] != c.want {
			t.Errorf("%s: digest %d, metrics %d, want %d in both", c.kind, c.digest, metrics[c.kind], c.want)
		}
	}
}
