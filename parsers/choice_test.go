package parsers

import (
	"reflect"
	"strings"
	"testing"
)

// Check boxes and choices (issue 10, symptom 2; issue 18 item 5): every way an office program
// lets a referent tick an option reads the same. Every option ticked with unambiguous marks is a
// choice like any other (most enti ask for both services); a choice where nothing appears
// ticked, or every option carries a mark that may also stand for a blank box, is an uncertain
// reading for a person.

// wordCheckSdt is a Word 2010 content-control check box as Word writes it: the state in
// w14:checked, the glyph in the content in MS Gothic (☒/☐).
func wordCheckSdt(on bool) string {
	v, glyph := "0", "☐"
	if on {
		v, glyph = "1", "☒"
	}
	return `<w:sdt><w:sdtPr><w:id w:val="-1712265519"/><w14:checkbox><w14:checked w14:val="` + v + `"/><w14:checkedState w14:val="2612" w14:font="MS Gothic"/><w14:uncheckedState w14:val="2610" w14:font="MS Gothic"/></w14:checkbox></w:sdtPr><w:sdtContent><w:r><w:rPr><w:rFonts w:ascii="MS Gothic" w:eastAsia="MS Gothic" w:hAnsi="MS Gothic" w:hint="eastAsia"/></w:rPr><w:t>` + glyph + `</w:t></w:r></w:sdtContent></w:sdt>`
}

// wordWingdingsSdt is a content-control check box whose states are Wingdings symbols: the
// content holds a w:sym, and (as Word leaves it after a copy) a glyph that disagrees.
func wordWingdingsSdt(on bool) string {
	v, char := "0", "F0A8"
	if on {
		v, char = "1", "F0FE"
	}
	return `<w:sdt><w:sdtPr><w14:checkbox><w14:checked w14:val="` + v + `"/><w14:checkedState w14:val="00FE" w14:font="Wingdings"/><w14:uncheckedState w14:val="00A8" w14:font="Wingdings"/></w14:checkbox></w:sdtPr><w:sdtContent><w:r><w:sym w:font="Wingdings" w:char="` + char + `"/></w:r></w:sdtContent></w:sdt>`
}

// legacyBox is a Word legacy form check box (FORMCHECKBOX) in the state given.
func legacyBox(on bool) string {
	checked := `<w:checked w:val="0"/>`
	if on {
		checked = `<w:checked/>`
	}
	return `<w:r><w:fldChar w:fldCharType="begin"><w:ffData><w:name w:val="Controllo1"/><w:enabled/><w:calcOnExit w:val="0"/><w:checkBox><w:sizeAuto/><w:default w:val="0"/>` + checked + `</w:checkBox></w:ffData></w:fldChar></w:r><w:r><w:instrText xml:space="preserve"> FORMCHECKBOX </w:instrText></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>`
}

func TestChoiceStyles(t *testing.T) {
	head := wordP(wordR("Informativa Generale dell’ente", `<w:b/>`))
	docx := func(body string) []byte { return wordDOCX(t, wordDoc(head+body)) }
	odt := func(body string) []byte {
		return loODT(t, loContent("", `<text:h text:outline-level="1">Informativa Generale dell&apos;ente</text:h>`+body))
	}
	pay, both := []string{"MyPay"}, []string{"MyPay", "MyPivot"}
	cases := []struct {
		name     string
		data     []byte
		key      string
		want     any
		unsure   bool
		problems int
	}{
		{"mark before.docx", docx(wordP(wordR("Servizi richiesti: ☒ MyPay ☐ MyPivot", ""))), "servizi", pay, false, 0},
		{"mark after.docx", docx(wordP(wordR("Servizi richiesti: MyPay ☒   MyPivot ☐", ""))), "servizi", pay, false, 0},
		{"brackets after.docx", docx(wordTable([]string{"Servizi richiesti", "MyPay [X]     MyPivot [ ]"})), "servizi", pay, false, 0},
		{"x before.docx", docx(wordTable([]string{"Servizi richiesti", wordP(wordR("X MyPay", "")) + wordP(wordR("MyPivot", ""))})), "servizi", pay, false, 0},
		{"x column.docx", docx(wordTable(
			[]string{"Servizi richiesti", ""},
			[]string{"MyPay", "X"},
			[]string{"MyPivot", ""},
			[]string{"Codice IPA", "c_l736"})), "servizi", pay, false, 0},
		{"x column merged label.docx", docx(wordTable(
			[]string{"Servizi richiesti", "MyPay", "X"},
			[]string{"", "MyPivot", ""})), "servizi", pay, false, 0},
		{"legacy form check boxes.docx", docx(wordTable([]string{"Servizi richiesti", wordP(
			`<w:r><w:fldChar w:fldCharType="begin"><w:ffData><w:name w:val="Controllo2"/><w:enabled/><w:calcOnExit w:val="0"/><w:checkBox><w:sizeAuto/><w:default w:val="0"/><w:checked/></w:checkBox></w:ffData></w:fldChar></w:r><w:r><w:instrText xml:space="preserve"> FORMCHECKBOX </w:instrText></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>`,
			wordR(" MyPay ", ""),
			`<w:r><w:fldChar w:fldCharType="begin"><w:ffData><w:name w:val="Controllo3"/><w:enabled/><w:calcOnExit w:val="0"/><w:checkBox><w:sizeAuto/><w:default w:val="1"/><w:checked w:val="0"/></w:checkBox></w:ffData></w:fldChar></w:r><w:r><w:instrText xml:space="preserve"> FORMCHECKBOX </w:instrText></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>`,
			wordR(" MyPivot", ""))})), "servizi", pay, false, 0},
		{"content controls ms gothic.docx", docx(wordTable([]string{"Servizi richiesti", wordP(wordCheckSdt(true), wordR(" MyPay", "")) + wordP(wordCheckSdt(false), wordR(" MyPivot", ""))})), "servizi", pay, false, 0},
		{"content controls wingdings.docx", docx(wordTable([]string{"Servizi richiesti", wordP(wordWingdingsSdt(true), wordR(" MyPay  ", ""), wordWingdingsSdt(false), wordR(" MyPivot", ""))})), "servizi", pay, false, 0},
		{"wingdings typed.docx", docx(wordP(wordR("Servizi richiesti: ", ""), wordR("þ", `<w:rFonts w:ascii="Wingdings" w:hAnsi="Wingdings"/>`), wordR(" MyPay ", ""), wordR("¨", `<w:rFonts w:ascii="Wingdings" w:hAnsi="Wingdings"/>`), wordR(" MyPivot", ""))), "servizi", pay, false, 0},
		{"struck.docx", docx(wordTable([]string{"Servizi richiesti", wordP(wordR("MyPay / ", ""), wordR("MyPivot", `<w:strike/>`))})), "servizi", pay, false, 0},
		{"double struck.docx", docx(wordTable([]string{"Servizi richiesti", wordP(wordR("MyPivot", `<w:dstrike/>`), wordR(" MyPay", ""))})), "servizi", pay, false, 0},
		{"deleted.docx", docx(wordTable([]string{"Servizi richiesti", "MyPay"})), "servizi", pay, false, 0},
		{"struck.odt", odt(loTable([]string{"Servizi richiesti", `<text:p text:style-name="P1">MyPay / <text:span text:style-name="T1">MyPivot</text:span></text:p>`})), "servizi", pay, false, 0},
		{"x column.odt", odt(loTable([]string{"Servizi richiesti", ""}, []string{"MyPay", "X"}, []string{"MyPivot", ""})), "servizi", pay, false, 0},
		{"si no columns.docx", docx(wordTable(
			[]string{"Prerequisiti", "Sì", "No"},
			[]string{"Adesione a PagoPA con Regione del Veneto come intermediario tecnologico", "X", ""},
			[]string{"Prodotti richiesti in MyExtranet", "", "X"})), "prerequisiti.prodotti_myextranet", "no", false, 0},
		{"si no columns yes.docx", docx(wordTable(
			[]string{"", "SI", "NO"},
			[]string{"Adesione a PagoPA", "X", ""})), "prerequisiti.adesione_pagopa", "sì", false, 0},
		{"si no boxes.odt", odt(loTable([]string{"Adesione a PagoPA", "☐ Sì   ☒ No"})), "prerequisiti.adesione_pagopa", "no", false, 0},
		{"modalita x column.docx", docx(wordTable(
			[]string{"Modalità di attivazione", ""},
			[]string{"Pagamenti spontanei", "X"},
			[]string{"Caricamento flussi", ""},
			[]string{"Web services dal gestionale dell'ente", "X"})), "modalita_attivazione", []string{"Pagamenti spontanei", "Web services dal gestionale dell'ente"}, false, 0},
		// Every option ticked, unambiguously: both services, sure.
		{"every option ticked.docx", docx(wordTable([]string{"Servizi richiesti", "☒ MyPay ☒ MyPivot"})), "servizi", both, false, 0},
		{"every option ticked in a body line.docx", docx(wordP(wordR("Servizi richiesti: ☑ MyPay  ☑ MyPivot", ""))), "servizi", both, false, 0},
		{"both ticks after.docx", docx(wordP(wordR("Servizi richiesti: MyPay ✔   MyPivot ✔", ""))), "servizi", both, false, 0},
		{"both content controls.docx", docx(wordTable([]string{"Servizi richiesti", wordP(wordCheckSdt(true), wordR(" MyPay", "")) + wordP(wordCheckSdt(true), wordR(" MyPivot", ""))})), "servizi", both, false, 0},
		{"both legacy form check boxes.docx", docx(wordTable([]string{"Servizi richiesti", wordP(legacyBox(true), wordR(" MyPay ", ""), legacyBox(true), wordR(" MyPivot", ""))})), "servizi", both, false, 0},
		{"both x column.docx", docx(wordTable(
			[]string{"Servizi richiesti", ""},
			[]string{"MyPay", "X"},
			[]string{"MyPivot", "X"},
			[]string{"Codice IPA", "c_l736"})), "servizi", both, false, 0},
		{"both x column.odt", odt(loTable([]string{"Servizi richiesti", ""}, []string{"MyPay", "X"}, []string{"MyPivot", "X"})), "servizi", both, false, 0},
		{"every modalita ticked.docx", docx(wordTable([]string{"Modalità di attivazione", "☒ Pagamenti spontanei ☒ Caricamento flussi ☒ Web services dal gestionale dell'ente"})), "modalita_attivazione", []string{"Pagamenti spontanei", "Caricamento flussi", "Web services dal gestionale dell'ente"}, false, 0},
		// Uncertain: nothing ticked, every option with a mark that may also be a blank box (one
		// glyph for both states), the blank form's options untouched.
		{"nothing ticked.docx", docx(wordTable([]string{"Servizi richiesti", wordP(wordCheckSdt(false), wordR(" MyPay ", ""), wordCheckSdt(false), wordR(" MyPivot", ""))})), "servizi", []string{}, true, 0},
		{"every option a filled square.docx", docx(wordTable([]string{"Servizi richiesti", "■ MyPay ■ MyPivot"})), "servizi", both, true, 0},
		{"every option crossed.docx", docx(wordTable([]string{"Servizi richiesti", "MyPay ✗ MyPivot ✗"})), "servizi", both, true, 0},
		{"options as printed.docx", docx(wordTable([]string{"Servizi richiesti", "MyPay / MyPivot"})), "servizi", []string{"MyPay", "MyPivot"}, true, 0},
		{"yes and no ticked.odt", odt(loTable([]string{"Adesione a PagoPA", "☒ Sì ☒ No"})), "prerequisiti.adesione_pagopa", "☒ Sì ☒ No", true, 0},
		{"si/no as printed.docx", docx(wordTable([]string{"Adesione a PagoPA (sì/no)", "Sì / No"})), "prerequisiti.adesione_pagopa", "Sì / No", true, 0},
		// Written out, both services are a sure choice.
		{"both written.docx", docx(wordTable([]string{"Servizi richiesti", "MyPay e MyPivot"})), "servizi", []string{"MyPay", "MyPivot"}, false, 0},
	}
	for _, c := range cases {
		f := readOne(t, c.name, c.data)
		if got := f.Fields[c.key]; !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: %s = %#v, want %#v", c.name, c.key, got, c.want)
		}
		p := f.Provenance[c.key]
		if p.Sure == c.unsure || c.unsure && p.Doubt == "" {
			t.Errorf("%s: provenance %+v, want sure=%v", c.name, p, !c.unsure)
		}
		if len(f.Problems) != c.problems {
			t.Errorf("%s: problems %v", c.name, f.Problems)
		}
	}
}

// TestChoiceInBody: bodies as Outlook writes a pasted table (text.go turns a two-cell row into
// "MyPay: X" and drops empty cells) and as people type them.
func TestChoiceInBody(t *testing.T) {
	cases := []struct {
		text string
		want []string
	}{
		{"Informativa generale\nServizi richiesti:\nMyPay: X\nMyPivot\nCodice IPA: c_l736", []string{"MyPay"}},
		{"Informativa generale\nServizi richiesti: MyPay [X] MyPivot [ ]", []string{"MyPay"}},
		{"Informativa generale\nServizi richiesti:\n[ ] MyPay\n[x] MyPivot", []string{"MyPivot"}},
		{"Informativa generale\nServizi: MyPay, MyPivot", []string{"MyPay", "MyPivot"}},
	}
	for _, c := range cases {
		forms := ReadText(c.text, SourceBody)
		if len(forms) != 1 {
			t.Fatalf("%q: %d forms", c.text, len(forms))
		}
		if got := forms[0].Fields["servizi"]; !reflect.DeepEqual(got, c.want) || !forms[0].Provenance["servizi"].Sure {
			t.Errorf("%q: servizi = %#v (%+v), want %v", c.text, got, forms[0].Provenance["servizi"], c.want)
		}
	}
}

// TestChoiceLayoutsOfTheCorpus: layouts seen in the reading corpus. LibreOffice form check
// boxes named after the field and the option; a spreadsheet with the label merged down over
// option | tick rows; a Sì / No pair of columns inside a larger table, over option rows.
func TestChoiceLayoutsOfTheCorpus(t *testing.T) {
	box := func(id, name string, on bool) string {
		state := ""
		if on {
			state = ` form:current-state="checked"`
		}
		return `<form:checkbox form:name="` + name + `" form:control-implementation="ooo:com.sun.star.form.component.CheckBox" xml:id="` + id + `" form:id="` + id + `"` + state + ` form:image-position="center"><form:properties><form:property form:property-name="DefaultControl" office:value-type="string" office:string-value="com.sun.star.form.control.CheckBox"/></form:properties></form:checkbox>`
	}
	fillable := loODT(t, loContent(`<office:forms form:automatic-focus="false" form:apply-design-mode="false"><form:form form:name="Standard">`+
		box("c1", "Modalità di attivazione pagamenti spontanei", true)+box("c2", "Modalità di attivazione caricamento flussi", true)+box("c3", "Modalità di attivazione web services dal gestionale dell'ente", false)+
		`</form:form></office:forms>`,
		`<text:h text:outline-level="1">Informativa Generale dell&apos;ente</text:h>`+loTable([]string{"Modalità di attivazione",
			loP(`<draw:control draw:control="c1"/> pagamenti spontanei <draw:control draw:control="c2"/> caricamento flussi <draw:control draw:control="c3"/> web services dal gestionale dell&apos;ente`)})))
	sheet := buildXLSX(t, "Qualificazione Ente-Prodotto", [][]string{
		{"Ragione sociale azienda", "Informatica Euganea S.p.A."},
		{"Servizi richiesti", "MyPay", "☒"},
		{"", "MyPivot"},
		{"URL di callback", "https://pagamenti.comune.treviso.it/mypay/esito"},
	})
	sino := wordDOCX(t, wordDoc(wordP(wordR("Qualificazione Ente-Prodotto", "<w:b/>"))+wordTable(
		[]string{"Ragione sociale azienda", "Software Veneto S.r.l.", ""},
		[]string{"Servizi richiesti", "Sì", "No"},
		[]string{"MyPay", "", "X"},
		[]string{"MyPivot", "X", ""},
		[]string{"URL di callback", "https://pagamenti.comune.schio.vi.it/mypay/esito", ""},
	)))
	cases := []struct {
		name string
		data []byte
		key  string
		want []string
	}{
		{"fillable.odt", fillable, "modalita_attivazione", []string{"pagamenti spontanei", "caricamento flussi"}},
		{"merged.xlsx", sheet, "servizi", []string{"MyPay"}},
		{"si no.docx", sino, "servizi", []string{"MyPivot"}},
	}
	for _, c := range cases {
		f := readOne(t, c.name, c.data)
		if got := f.Fields[c.key]; !reflect.DeepEqual(got, c.want) || !f.Provenance[c.key].Sure {
			t.Errorf("%s: %s = %#v (%+v), want %v", c.name, c.key, got, f.Provenance[c.key], c.want)
		}
	}
}

// TestListOverLines: a list field's items one per line, after "Label:" or after its first item.
func TestListOverLines(t *testing.T) {
	forms := ReadText("Esiti collaudo\nEsito: positivo\nIP per l'esercizio:\n151.99.18.40\n151.99.18.41\n\nCordiali saluti", SourceBody)
	if len(forms) != 1 || !reflect.DeepEqual(forms[0].Fields["ip_esercizio"], []string{"151.99.18.40", "151.99.18.41"}) {
		t.Errorf("IPs over lines: %+v", forms)
	}
	f := readOne(t, "qep.odt", loODT(t, loContent("", loP("Qualificazione Ente-Prodotto")+
		loP("Web services usati: paaSILImportaDovuto<text:line-break/>paaSILChiediStatoElaborazione<text:line-break/>paaSILChiediPagati")+
		loP("URL di callback: https://pagamenti.comune.treviso.it/mypay/esito"))))
	if got := f.Fields["web_services"]; !reflect.DeepEqual(got, []string{"paaSILImportaDovuto", "paaSILChiediStatoElaborazione", "paaSILChiediPagati"}) {
		t.Errorf("web services over lines: %#v", got)
	}
}

// TestChoicePrintedLayouts: what a printed PDF leaves of a choice. Options one per row with no
// mark anywhere (the boxes were pictures) are uncertain, not all; a tick alone on the next
// line ticks the option above it; two options run together on one line are two.
func TestChoicePrintedLayouts(t *testing.T) {
	listed := readOne(t, "stampato.docx", wordDOCX(t, wordDoc(wordP(wordR("Informativa generale", ""))+wordTable(
		[]string{"Servizi richiesti", "MyPay"}, []string{"", "MyPivot"}, []string{"Codice IPA", "c_l736"}))))
	if p := listed.Provenance["servizi"]; p.Sure || !strings.Contains(p.Doubt, "senza un segno") {
		t.Errorf("options listed without marks: %v %+v", listed.Fields["servizi"], p)
	}
	items := []frItem{{label: "Informativa generale"}, {label: "Servizi richiesti", value: "MyPay\nMyPivot", pair: true}, {label: "X"},
		{label: "Modalità di attivazione", value: "pagamenti spontanei caricamento flussi", pair: true}}
	forms := frBuild(items, "x.pdf", "x.pdf", false)
	if len(forms) != 1 {
		t.Fatalf("%d forms", len(forms))
	}
	f := forms[0]
	if got := f.Fields["servizi"]; !reflect.DeepEqual(got, []string{"MyPivot"}) || !f.Provenance["servizi"].Sure {
		t.Errorf("tick on the next line: %#v %+v", got, f.Provenance["servizi"])
	}
	if got := f.Fields["modalita_attivazione"]; !reflect.DeepEqual(got, []string{"pagamenti spontanei", "caricamento flussi"}) {
		t.Errorf("options run together: %#v", got)
	}
}
