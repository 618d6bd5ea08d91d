package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"mailbot/parsers"
)

func TestRunInspect(t *testing.T) {
	const dir = "../../testdata/mail/"
	cases := []struct {
		name       string
		args       []string
		code       int
		stdoutHas  []string
		stderrHas  string
		jsonFields map[string]any // top-level JSON values to compare
	}{
		{
			name: "json of a PEC envelope",
			args: []string{"-json", dir + "pec-posta-certificata.eml"},
			stdoutHas: []string{
				"\n  \"message_id\": \"abc123.20261126@pec.comune.esempio.it\",\n", // two-space indentation
				`"gestore": "ARUBA PEC S.p.A."`,
			},
			jsonFields: map[string]any{"from": "protocollo@pec.comune.esempio.it", "auto": false},
		},
		{
			name:       "json keeps empty lists as []",
			args:       []string{"-json", dir + "auto-reply.eml"},
			stdoutHas:  []string{`"forms": []`, `"ips": []`, `"missing": []`, `"pec": null`},
			jsonFields: map[string]any{"auto": true},
		},
		{
			// Issue 10: every value says where it was read and how sure the reader is.
			name: "json shows provenance and confidence per value",
			args: []string{"-json", dir + "p7m-attachment.eml"},
			stdoutHas: []string{`"provenance": {`, `"ente.codice_ipa": {
          "document": "informativa_generale.docx",`, `"label": "Codice IPA"`, `"how": "line"`, `"sure": true`},
		},
		{
			name:      "rejected parts are not a failure",
			args:      []string{"-json", dir + "too-many-parts.eml"},
			stdoutHas: []string{`"rejected"`, "più di 200 parti"},
		},
		{
			name:      "summary for people",
			args:      []string{dir + "p7m-attachment.eml"},
			stdoutHas: []string{"Mittente (from):", "mario.rossi@comune.esempio.it", "MARIO ROSSI (RSSMRA80A01H501U)", "Scartato (rejected):", "firma_separata.docx.p7m", "Testo nuovo"},
		},
		{
			name:      "summary of a receipt",
			args:      []string{dir + "pec-avvenuta-consegna.eml"},
			stdoutHas: []string{"Ricevuta PEC (receipt):", "avvenuta-consegna per abc123.20261126@pec.comune.esempio.it", "Automatico (auto):"},
		},
		{name: "not a message", args: []string{dir + "not-a-message.eml"}, code: 1, stderrHas: "no header"},
		{name: "missing file", args: []string{dir + "nessuno.eml"}, code: 1, stderrHas: "nessuno.eml"},
		{name: "no file", args: nil, code: 2, stderrHas: "uso: mailbot inspect"},
		{name: "two files", args: []string{"a.eml", "b.eml"}, code: 2, stderrHas: "uso: mailbot inspect"},
		{name: "unknown flag", args: []string{"-yaml", "a.eml"}, code: 2, stderrHas: "-yaml"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			if code := runInspect(c.args, &out, &errb); code != c.code {
				t.Fatalf("exit %d, want %d; stderr: %s", code, c.code, errb.String())
			}
			for _, s := range c.stdoutHas {
				if !strings.Contains(out.String(), s) {
					t.Errorf("stdout lacks %q:\n%s", s, out.String())
				}
			}
			if !strings.Contains(errb.String(), c.stderrHas) {
				t.Errorf("stderr lacks %q: %s", c.stderrHas, errb.String())
			}
			if c.code != 0 && out.Len() > 0 {
				t.Errorf("stdout on failure: %s", out.String())
			}
			if c.jsonFields != nil {
				var m map[string]any
				if err := json.Unmarshal(out.Bytes(), &m); err != nil {
					t.Fatalf("not JSON: %v\n%s", err, out.String())
				}
				for k, want := range c.jsonFields {
					if m[k] != want {
						t.Errorf("%s = %v, want %v", k, m[k], want)
					}
				}
				for _, k := range []string{"Text", "Receipt", "AutoReason", "text"} {
					if _, ok := m[k]; ok {
						t.Errorf("internal field %q in JSON", k)
					}
				}
			}
		})
	}
}

// TestSummaryShowsUncertainReadings: the summary for people names what a person must confirm.
func TestSummaryShowsUncertainReadings(t *testing.T) {
	a := &parsers.Analysis{Forms: []parsers.Form{{Type: parsers.FormQualificazioneEnteProdotto, Source: "ente-prodotto.pdf",
		Fields: map[string]any{"ip_collaudo": []string{"11.03.20.26"}, "prodotto.nome": "TributiWeb"},
		Provenance: map[string]parsers.Provenance{
			"ip_collaudo":   {Document: "ente-prodotto.pdf", Where: "pagina 1", How: parsers.HowTable, Doubt: "sembra una data"},
			"prodotto.nome": {Document: "ente-prodotto.pdf", How: parsers.HowTable, Sure: true}}}}}
	var out bytes.Buffer
	printSummary(&out, a)
	if want := "incerto (ip_collaudo): «[11.03.20.26]» ente-prodotto.pdf pagina 1 — sembra una data"; !strings.Contains(out.String(), want) {
		t.Errorf("summary lacks %q:\n%s", want, out.String())
	}
	if strings.Contains(out.String(), "incerto (prodotto.nome)") {
		t.Errorf("a sure value shown as uncertain:\n%s", out.String())
	}
}
