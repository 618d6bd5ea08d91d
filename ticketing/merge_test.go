package ticketing

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"
)

const (
	ig  = "informativa_generale"
	qep = "qualificazione_ente_prodotto"
)

// form builds a form of one message; values ending in "?" are uncertain readings.
func form(msg, typ, doc, how string, fields map[string]any, problems ...Problem) Form {
	f := Form{MessageID: msg, Type: typ, Source: doc, Fields: map[string]any{}, Problems: problems, Provenance: map[string]Provenance{}}
	for k, v := range fields {
		sure := true
		if s, ok := v.(string); ok && strings.HasSuffix(s, "?") {
			v, sure = strings.TrimSuffix(s, "?"), false
		}
		f.Fields[k] = v
		f.Provenance[k] = Provenance{Document: doc, How: how, Sure: sure}
	}
	for _, p := range problems {
		if _, ok := f.Provenance[p.Field]; !ok {
			f.Provenance[p.Field] = Provenance{Document: doc, How: how, Sure: true}
		}
	}
	return f
}

// vouch marks a form's field as vouched for by its message's verified sender.
func vouch(f Form, key, how string) Form {
	p := f.Provenance[key]
	p.Vouched = how
	f.Provenance[key] = p
	return f
}

func TestMerge(t *testing.T) {
	full := map[string]any{"ente.denominazione": "Comune di Venezia", "ente.codice_fiscale": "00339370272",
		"ente.codice_ipa": "c_l736", "prodotto.nome": "TributiWeb", "servizi": []any{"MyPay", "MyPivot"}}
	cross := MergeOptions{CrossCheck: map[string][]string{
		"ente.codice_fiscale": {ig, qep}, "ente.codice_ipa": {ig, qep}, "servizi": {ig, qep}, "ente.denominazione": {ig, qep}},
		Wording: func(k string) bool { return k == "ente.denominazione" }}
	type want struct {
		typ, key, value, document string
		sure                      bool
	}
	cases := []struct {
		name      string
		forms     []Form
		opts      MergeOptions
		want      []want
		problems  map[string][]string // form type -> problem fields
		conflicts int
	}{
		{
			// Symptom 1 of issue 10: the body's partial form must not replace the attached one.
			name: "a body form holding only services does not replace the attached form",
			forms: []Form{
				form("m1", qep, "ente-prodotto.pdf", "form_field", full),
				form("m1", qep, "corpo del messaggio", HowBody, map[string]any{"servizi": []any{"MyPay", "MyPivot"}}),
			},
			want: []want{
				{qep, "ente.codice_fiscale", "00339370272", "ente-prodotto.pdf", true},
				{qep, "prodotto.nome", "TributiWeb", "ente-prodotto.pdf", true},
				{qep, "servizi", "MyPay, MyPivot", "ente-prodotto.pdf", true},
			},
		},
		{
			name: "a later attachment replaces an earlier value: a correction, not a conflict",
			forms: []Form{
				form("m1", qep, "v1.pdf", "form_field", map[string]any{"ente.codice_fiscale": "00339370270", "prodotto.nome": "TributiWeb"},
					Problem{Field: "ente.codice_fiscale", Message: "cifra di controllo"}),
				form("m2", qep, "v2.pdf", "form_field", map[string]any{"ente.codice_fiscale": "00339370272"}),
			},
			want: []want{
				{qep, "ente.codice_fiscale", "00339370272", "v2.pdf", true},
				{qep, "prodotto.nome", "TributiWeb", "v1.pdf", true},
			},
			problems: map[string][]string{qep: nil},
		},
		{
			name: "an empty value replaces nothing",
			forms: []Form{
				form("m1", qep, "v1.pdf", "form_field", map[string]any{"prodotto.nome": "TributiWeb"}),
				form("m2", qep, "v2.pdf", "form_field", map[string]any{"prodotto.nome": "  ", "servizi": []any{}}),
			},
			want: []want{{qep, "prodotto.nome", "TributiWeb", "v1.pdf", true}},
		},
		{
			name: "a body line never replaces an attached value; differing, it is a conflict",
			forms: []Form{
				form("m1", qep, "v1.pdf", "table", map[string]any{"servizi": []any{"MyPay", "MyPivot"}}),
				form("m2", qep, "corpo del messaggio", HowBody, map[string]any{"servizi": []any{"MyPay"}}),
			},
			want:      []want{{qep, "servizi", "MyPay, MyPivot", "v1.pdf", false}},
			conflicts: 1,
		},
		{
			// The letter workload of cmd/mailbot-load: the form typed in the body, a cover
			// letter whose prose the reader half-took for the same form.
			name: "a doubt read from an attachment does not replace a sure body line of its message",
			forms: []Form{
				form("m1", ig, "lettera.pdf", "table", map[string]any{"ente.denominazione": "riscossione nel?", "servizi": "MyPay?"}),
				form("m1", ig, "corpo del messaggio", HowBody, map[string]any{"ente.denominazione": "Comune di Prova", "servizi": []any{"MyPay", "MyPivot"}}),
			},
			want: []want{
				{ig, "ente.denominazione", "Comune di Prova", "corpo del messaggio", true},
				{ig, "servizi", "MyPay, MyPivot", "corpo del messaggio", true},
			},
		},
		{
			name: "a doubt read from an attachment of a later message still replaces a sure body line",
			forms: []Form{
				form("m1", ig, "corpo del messaggio", HowBody, map[string]any{"ente.denominazione": "Comune di Prova"}),
				form("m2", ig, "lettera.pdf", "table", map[string]any{"ente.denominazione": "Comune di Prova 2?"}),
			},
			want: []want{{ig, "ente.denominazione", "Comune di Prova 2", "lettera.pdf", false}},
		},
		{
			name: "an attachment replaces a body line of an earlier message",
			forms: []Form{
				form("m1", qep, "corpo del messaggio", HowBody, map[string]any{"prodotto.nome": "Tributi"}),
				form("m2", qep, "v1.pdf", "table", map[string]any{"prodotto.nome": "TributiWeb"}),
			},
			want: []want{{qep, "prodotto.nome", "TributiWeb", "v1.pdf", true}},
		},
		{
			name: "two attached copies of one form that disagree are a conflict",
			forms: []Form{
				form("m1", qep, "a.pdf", "form_field", map[string]any{"ente.codice_ipa": "c_l736"}),
				form("m1", qep, "a.docx", "table", map[string]any{"ente.codice_ipa": "C_L737"}),
			},
			want:      []want{{qep, "ente.codice_ipa", "C_L737", "a.docx", false}},
			conflicts: 1,
		},
		{
			name: "the same value in another case and spacing is no conflict",
			forms: []Form{
				form("m1", qep, "a.pdf", "form_field", map[string]any{"ente.codice_ipa": "c_l736"}),
				form("m1", qep, "a.docx", "table", map[string]any{"ente.codice_ipa": " C_L736"}),
			},
			want: []want{{qep, "ente.codice_ipa", " C_L736", "a.docx", true}},
		},
		{
			name: "an uncertain reading confirmed by a sure one of the same value is sure",
			forms: []Form{
				form("m1", qep, "a.docx", "table", map[string]any{"ente.codice_ipa": "c_l736"}),
				form("m1", qep, "a.pdf", "table", map[string]any{"ente.codice_ipa": "c_l736?"}),
			},
			want: []want{{qep, "ente.codice_ipa", "c_l736", "a.docx", true}},
		},
		{
			name: "within one message an uncertain copy does not replace a sure one",
			forms: []Form{
				form("m1", qep, "a.docx", "table", map[string]any{"ente.codice_ipa": "c_l736"}),
				form("m1", qep, "a.pdf", "table", map[string]any{"ente.codice_ipa": "c_I736?"}),
			},
			want: []want{{qep, "ente.codice_ipa", "c_l736", "a.docx", true}},
		},
		{
			name: "a later message's uncertain reading replaces an earlier sure one, for a person to confirm",
			forms: []Form{
				form("m1", qep, "a.docx", "table", map[string]any{"ente.codice_ipa": "c_l736"}),
				form("m2", qep, "b.pdf", "table", map[string]any{"ente.codice_ipa": "c_l737?"}),
			},
			want: []want{{qep, "ente.codice_ipa", "c_l737", "b.pdf", false}},
		},
		{
			name: "a staff correction replaces every reading and settles a conflict",
			forms: []Form{
				form("m1", qep, "a.pdf", "form_field", map[string]any{"ente.codice_ipa": "c_l736"}),
				form("m1", qep, "a.docx", "table", map[string]any{"ente.codice_ipa": "c_l737"}),
				form("", qep, "staff1@regione.veneto.it", HowStaff, map[string]any{"ente.codice_ipa": "c_l736"}),
			},
			want: []want{{qep, "ente.codice_ipa", "c_l736", "staff1@regione.veneto.it", true}},
		},
		{
			name: "a later staff correction replaces an earlier one",
			forms: []Form{
				form("", qep, "staff1", HowStaff, map[string]any{"ente.codice_ipa": "c_l737"}),
				form("", qep, "staff2", HowStaff, map[string]any{"ente.codice_ipa": "c_l736"}),
			},
			want: []want{{qep, "ente.codice_ipa", "c_l736", "staff2", true}},
		},
		{
			name: "a value missing from one form is taken from the other, with its provenance",
			forms: []Form{
				form("m1", ig, "informativa.docx", "table", map[string]any{"ente.codice_fiscale": "00339370272", "ente.codice_ipa": "c_l736"}),
				form("m1", qep, "ente-prodotto.pdf", "form_field", map[string]any{"ente.codice_fiscale": "00339370272", "servizi": []any{"MyPay"}}),
			},
			opts: cross,
			want: []want{
				{qep, "ente.codice_ipa", "c_l736", "informativa.docx", true},
				{ig, "servizi", "MyPay", "ente-prodotto.pdf", true},
				{ig, "ente.codice_fiscale", "00339370272", "informativa.docx", true},
			},
		},
		{
			name: "a problem travels with the value lent",
			forms: []Form{
				form("m1", ig, "informativa.docx", "table", map[string]any{"ente.codice_fiscale": "00339370270"},
					Problem{Field: "ente.codice_fiscale", Message: "cifra di controllo"}),
				form("m1", qep, "ente-prodotto.pdf", "form_field", map[string]any{"prodotto.nome": "TributiWeb"}),
			},
			opts:     cross,
			want:     []want{{qep, "ente.codice_fiscale", "00339370270", "informativa.docx", true}},
			problems: map[string][]string{qep: {"ente.codice_fiscale"}, ig: {"ente.codice_fiscale"}},
		},
		{
			name: "two forms naming different entes by codice fiscale are a conflict; names may differ",
			forms: []Form{
				form("m1", ig, "informativa.docx", "table", map[string]any{"ente.codice_fiscale": "00339370272", "ente.denominazione": "Comune di Venezia"}),
				form("m1", qep, "ente-prodotto.pdf", "form_field", map[string]any{"ente.codice_fiscale": "80007580279", "ente.denominazione": "Città di Venezia"}),
			},
			opts: cross,
			want: []want{
				{ig, "ente.codice_fiscale", "00339370272", "informativa.docx", false},
				{qep, "ente.codice_fiscale", "80007580279", "ente-prodotto.pdf", false},
				{qep, "ente.denominazione", "Città di Venezia", "ente-prodotto.pdf", true},
			},
			conflicts: 1,
		},
		{
			// Issue 18: a sender verified (a certified PEC, a From our server authenticated)
			// that is the value itself is an independent source of it.
			name: "a doubtful address that its message's verified sender is: sure",
			forms: []Form{
				vouch(form("m1", ig, "informativa.pdf", "table", map[string]any{"ente.pec": "protocollo@pec.comune.mirano.ve.it?", "referente.email": "g.scattolin@comune.mirano.ve.it?"}), "ente.pec", VouchPEC),
			},
			want: []want{
				{ig, "ente.pec", "protocollo@pec.comune.mirano.ve.it", "informativa.pdf", true},
				{ig, "referente.email", "g.scattolin@comune.mirano.ve.it", "informativa.pdf", false},
			},
		},
		{
			name: "a doubtful fact that the other integration form states with confidence: sure",
			forms: []Form{
				form("m1", ig, "informativa.pdf", "table", map[string]any{"ente.codice_fiscale": "00339370272?", "ente.codice_ipa": "c_l736?"}),
				form("m1", qep, "ente-prodotto.pdf", "form_field", map[string]any{"ente.codice_fiscale": "00339370272", "ente.codice_ipa": "c_l737"}),
			},
			opts: cross,
			want: []want{
				{ig, "ente.codice_fiscale", "00339370272", "informativa.pdf", true},
				{ig, "ente.codice_ipa", "c_l736", "informativa.pdf", false}, // the other form says otherwise: still a doubt
				{qep, "ente.codice_ipa", "c_l737", "ente-prodotto.pdf", true},
			},
		},
		{
			name: "forms of no type are left out",
			forms: []Form{
				form("m1", "", "corpo del messaggio", HowBody, map[string]any{"ente.denominazione": "Comune"}),
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cf := Merge(c.forms, c.opts)
			for _, w := range c.want {
				f, ok := cf.Forms[w.typ]
				if !ok {
					t.Fatalf("no %s form", w.typ)
				}
				if got := f.Field(w.key); got != w.value {
					t.Errorf("%s %s = %q, want %q", w.typ, w.key, got, w.value)
				}
				p := f.Provenance[w.key]
				if p.Document != w.document || p.Sure != w.sure {
					t.Errorf("%s %s read from %q sure=%v (%s), want %q sure=%v", w.typ, w.key, p.Document, p.Sure, p.Doubt, w.document, w.sure)
				}
				if !p.Sure && c.conflicts > 0 && !strings.Contains(p.Doubt, "valori diversi") {
					t.Errorf("%s %s: doubt %q does not say what disagrees", w.typ, w.key, p.Doubt)
				}
			}
			for typ, fields := range c.problems {
				var got []string
				for _, p := range cf.Forms[typ].Problems {
					got = append(got, p.Field)
				}
				if !reflect.DeepEqual(got, fields) {
					t.Errorf("%s problems on %v, want %v", typ, got, fields)
				}
			}
			if len(cf.Conflicts) != c.conflicts {
				t.Errorf("%d conflicts, want %d: %+v", len(cf.Conflicts), c.conflicts, cf.Conflicts)
			}
			if len(c.forms) == 1 && c.forms[0].Type == "" && len(cf.Forms) != 0 {
				t.Errorf("untyped form merged: %v", cf.Forms)
			}
		})
	}
}

// TestFormProvenanceStored: provenance survives the database, and forms recorded without it
// read as sure values of their source.
func TestFormProvenanceStored(t *testing.T) {
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	now := time.Date(2026, 3, 30, 9, 0, 0, 0, time.UTC)
	var id string
	if err := s.Update(ctx, func(tx *Tx) error {
		tk, err := tx.NewTicket(KindIntegration, "Richiesta", "r@comune.example.it", "r@comune.example.it", now, time.UTC)
		if err != nil {
			return err
		}
		id = tk.ID
		f := form("m1", qep, "a.pdf", "table", map[string]any{"ente.codice_ipa": "c_l736?"})
		p := f.Provenance["ente.codice_ipa"]
		p.Where, p.Label, p.Doubt = "pagina 1", "Cod. IPA", "sembra un'etichetta"
		f.Provenance["ente.codice_ipa"] = p
		if err := tx.AddForm(id, f); err != nil {
			return err
		}
		// The row leaves out a document that is its source: the others read back as given.
		g := form("m2", qep, "b.pdf", "table", map[string]any{"ente.codice_ipa": "c_l736", "ente.pec": "a@pec.it", "servizi": "MyPay"})
		g.Provenance["ente.pec"] = Provenance{How: HowStaff, Sure: true}
		g.Provenance["servizi"] = Provenance{Document: "c.pdf", How: "table", Sure: true}
		if err := tx.AddForm(id, g); err != nil {
			return err
		}
		// A row that named every document, as rows did before.
		if _, err := tx.tx.Exec(`INSERT INTO ticket_forms (ticket_id, message_id, type, source, fields, problems, provenance, received_at)
			VALUES (?, 'm3', ?, 'd.pdf', '{"ente.pec":"a@pec.it"}', '[]', '{"ente.pec":{"document":"","how":"staff","sure":true}}', ?)`, id, qep, ts(now)); err != nil {
			return err
		}
		// A row of before provenance was kept.
		_, err = tx.tx.Exec(`INSERT INTO ticket_forms (ticket_id, message_id, type, source, fields, problems, received_at)
			VALUES (?, 'm0', ?, 'corpo del messaggio', '{"servizi":["MyPay"]}', '[{"field":"ente.pec","message":"x"}]', ?)`, id, qep, ts(now))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	forms, err := s.Forms(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	want := Provenance{Document: "a.pdf", Where: "pagina 1", Label: "Cod. IPA", How: "table", Sure: false, Doubt: "sembra un'etichetta"}
	if got := forms[0].Provenance["ente.codice_ipa"]; got != want {
		t.Errorf("stored provenance %+v, want %+v", got, want)
	}
	for k, want := range map[string]Provenance{"ente.codice_ipa": {Document: "b.pdf", How: "table", Sure: true},
		"ente.pec": {How: HowStaff, Sure: true}, "servizi": {Document: "c.pdf", How: "table", Sure: true}} {
		if got := forms[1].Provenance[k]; got != want {
			t.Errorf("stored provenance of %s %+v, want %+v", k, got, want)
		}
	}
	if got, want := forms[2].Provenance["ente.pec"], (Provenance{How: HowStaff, Sure: true}); got != want {
		t.Errorf("provenance naming its document %+v, want %+v", got, want)
	}
	legacy := Provenance{Document: "corpo del messaggio", How: HowBody, Sure: true}
	if got := forms[3].Provenance["servizi"]; got != legacy {
		t.Errorf("legacy provenance %+v, want %+v", got, legacy)
	}
	if got := forms[3].Provenance["ente.pec"]; got != legacy {
		t.Errorf("legacy provenance of a problem %+v, want %+v", got, legacy)
	}
}

// TestHasValue: Merge asks whether a field holds any text as values would answer it.
func TestHasValue(t *testing.T) {
	for _, v := range []any{nil, "", " \n", "x", []string(nil), []string{}, []string{" "}, []string{"", "a"},
		[]any{}, []any{" "}, []any{"a"}, []any{nil}, true, 0, 1.5} {
		if got, want := hasValue(v), len(values(v)) > 0; got != want {
			t.Errorf("hasValue(%#v) = %v, values says %v", v, got, want)
		}
	}
}
