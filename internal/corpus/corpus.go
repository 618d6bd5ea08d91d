package corpus

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

var fixedTime = time.Date(2026, 3, 9, 11, 2, 0, 0, time.UTC)

const (
	formIG  = "informativa_generale"
	formQEP = "qualificazione_ente_prodotto"
	formEC  = "esiti_collaudo"
)

// Source is a file LibreOffice converts: Name.html in the source directory, opened by Writer
// or Calc, saved in each of Targets (docx, odt, pdf, xlsx) as libreoffice/Name.<target>.
type Source struct {
	Name    string
	Calc    bool
	HTML    string
	Targets []string
}

// Corpus is everything regen.sh writes.
type Corpus struct {
	Files   map[string][]byte // written as is, path relative to the corpus directory
	Sources []Source
	// WordToPDF are Word files (word/NAME.docx) LibreOffice prints to libreoffice/NAME.pdf.
	WordToPDF []string
	// DocxToPDF are LibreOffice's own DOCX (libreoffice/NAME.docx) printed to libreoffice/NAME_docx.pdf.
	DocxToPDF []string
	Manifest  Manifest
}

func (c *Corpus) add(file, producer, layout, note string, forms ...Expected) {
	c.Manifest.Documents = append(c.Manifest.Documents, Document{File: file, Producer: producer, Layout: layout, Note: note, Forms: forms})
}

// lo adds a LibreOffice document converted to each target.
func (c *Corpus) lo(name, layout, note string, calc bool, html string, targets []string, forms ...Expected) {
	c.Sources = append(c.Sources, Source{Name: name, Calc: calc, HTML: html, Targets: targets})
	for _, t := range targets {
		l := layout
		switch {
		case strings.HasPrefix(layout, "fillable"):
			l = "fillable-" + t + strings.TrimPrefix(layout, "fillable")
		case t == "pdf":
			l = "printed-pdf/" + layout
		}
		c.add("libreoffice/"+name+"."+t, "libreoffice", l, note, forms...)
	}
}

func full(typ string, e Ente) map[string]any {
	if typ == formQEP {
		return e.QEP()
	}
	return e.IG()
}

// Build makes the corpus.
func Build() (*Corpus, error) {
	c := &Corpus{Files: map[string][]byte{}, Manifest: Manifest{
		Comment: "Filled forms made by other producers than internal/formgen; made by internal/corpus/regen.sh. " +
			"fields: what a correct reader finds (keys of parsers/schema.go; lists for services, IPs and lists); " +
			"empty: written as a placeholder, no value; problems: keys whose value is deliberately invalid.",
	}}
	E := Entes()
	all3 := []string{"docx", "odt", "pdf"}

	// --- LibreOffice Writer, from HTML ---
	type loDoc struct {
		name, form, layout, note, wl string
		e                            Ente
		v                            variant
		targets                      []string
		override                     map[string]any
		problems                     []string
	}
	docs := []loDoc{
		{"lo_ig_table_padova", formIG, "table", "label | value table, boxes before the options (☒ MyPay ☒ MyPivot)", wTable, E[0],
			variant{Labels: lbOffice, Svc: chBefore}, all3, nil, nil},
		{"lo_qep_table_padova", formQEP, "table", "label | value table, one IP per line, a date row right after the IPs", wTable, E[0],
			variant{Labels: lbOffice, Svc: chBefore, IPSep: "\n", DateAfterIPs: true}, all3, nil, nil},
		{"lo_ig_paragraphs_treviso", formIG, "paragraphs", "Label: value paragraphs, mark after the option (MyPay ☒ MyPivot ☐), software house email n.d.", wParagraphs, E[1],
			variant{Labels: lbForm, Svc: chAfter, YN: chAfter, Blank: map[string]string{"software_house.email": "n.d."}}, all3, nil, nil},
		{"lo_qep_paragraphs_treviso", formQEP, "paragraphs", "Label: value paragraphs, [X] MyPay [ ] MyPivot", wParagraphs, E[1],
			variant{Labels: lbForm, Svc: chBrackets}, []string{"odt", "pdf"}, nil, nil},
		{"lo_ig_sections_rovigo", formIG, "sections", "numbered section headings (1. Ente, 2. Referente dei pagamenti) then generic labels (Nome, Codice fiscale)", wTable, E[2],
			variant{Labels: lbSections, Sections: secNumbered}, all3, nil, nil},
		{"lo_ig_sections_bold_belluno", formIG, "sections+checkboxes", "bold paragraphs as sections, generic labels; services as option | X rows, prerequisites in Sì | No columns", wTable, E[3],
			variant{Labels: lbSections, Sections: secBold, Svc: chXCol, YN: chSiNo}, []string{"docx", "odt"}, nil, nil},
		{"lo_ig_sections_caption_chioggia", formIG, "sections+checkboxes", "table captions as sections, generic labels; the unchosen option struck through", wTable, E[4],
			variant{Labels: lbSections, Sections: secCaption, Svc: chStrike, YN: chStrike}, []string{"docx", "odt"}, nil, nil},
		{"lo_ig_inline_bassano", formIG, "inline-sections", "labels with the section inside (Referente: nome); the unchosen service deleted; modalità with boxes", wTable, E[5],
			variant{Labels: lbInline, Svc: chDeleted, Mod: chBefore}, all3, nil, nil},
		{"lo_qep_sections_ulss", formQEP, "sections", "numbered sections, generic labels (Nome, Versione, Ragione sociale), mark after the option", wTable, E[6],
			variant{Labels: lbSections, Sections: secNumbered, Svc: chAfter}, all3, nil, nil},
		{"lo_ig_printed_castelfranco", formIG, "table", "narrow label column: labels and the address wrap over two lines; IBAN in groups of four; date written out", wPrinted, E[7],
			variant{Labels: lbForm, Svc: chBefore, TwoLineAddress: true, SpacedIBAN: true, DateFmt: 2}, []string{"pdf"}, nil, nil},
		{"lo_qep_printed_castelfranco", formQEP, "table", "narrow label column, one IP per line, a date row right after the IPs", wPrinted, E[7],
			variant{Labels: lbForm, Svc: chBefore, IPSep: "\n", DateAfterIPs: true}, []string{"pdf"}, nil, nil},
		{"lo_qep_printed_schio", formQEP, "checkboxes", "services as option | X rows, IPs separated by semicolons, a date row after the IPs", wPrinted, E[8],
			variant{Labels: lbOffice, Svc: chXCol, IPSep: "; ", DateAfterIPs: true}, []string{"pdf", "docx"}, nil, nil},
	}
	// Deliberately invalid values.
	jesoloBadCF := E[9]
	jesoloBadCF.CF = breakLast(E[9].CF)
	schioBadIBAN := E[8]
	schioBadIBAN.IBAN = breakLast(E[8].IBAN)
	jesoloPrivIP := E[9]
	jesoloPrivIP.IPColl = append([]string{"192.168.10.15"}, E[9].IPColl...)
	ulssBadRef := E[6]
	ulssBadRef.RefCF = breakLast(E[6].RefCF)
	docs = append(docs,
		loDoc{"lo_ig_cf_errato_jesolo", formIG, "table", "codice fiscale ente with a wrong check digit: a problem", wTable, jesoloBadCF,
			variant{Labels: lbOffice, Svc: chBefore}, []string{"docx", "pdf"}, nil, []string{"ente.codice_fiscale"}},
		loDoc{"lo_ig_iban_errato_schio", formIG, "paragraphs", "IBAN with wrong check digits: a problem", wParagraphs, schioBadIBAN,
			variant{Labels: lbOffice, Svc: chAfter}, []string{"odt"}, nil, []string{"tipi_dovuto.iban"}},
		loDoc{"lo_qep_ip_privato_jesolo", formQEP, "table", "a private IP among the collaudo IPs: dropped, a problem", wTable, jesoloPrivIP,
			variant{Labels: lbOffice, Svc: chBefore}, []string{"odt", "pdf"}, map[string]any{"ip_collaudo": E[9].IPColl}, []string{"ip_collaudo"}},
		loDoc{"lo_ig_sections_cfref_errato_ulss", formIG, "sections", "sections with generic labels; the referent's codice fiscale has a wrong check letter: a problem on the referent, not the ente", wTable, ulssBadRef,
			variant{Labels: lbSections, Sections: secNumbered}, []string{"docx"}, nil, []string{"referente.codice_fiscale"}},
	)
	docs = append(docs,
		loDoc{"lo_ig_fillable_padova", formIG, "fillable", "form fields named after their labels, check boxes for services and yes/no (PDF: AcroForm; ODT: form controls)", wFillable, E[0],
			variant{Labels: lbOffice, Svc: chBefore, YN: chBefore, Mod: chBefore}, []string{"pdf", "odt"}, nil, nil},
		loDoc{"lo_qep_fillable_treviso", formQEP, "fillable", "form fields named after their labels, IPs in a multi-line field", wFillable, E[1],
			variant{Labels: lbForm, Svc: chBefore, IPSep: "\n"}, []string{"pdf", "odt"}, nil, nil},
		loDoc{"lo_ig_fillable_generic_rovigo", formIG, "fillable-generic", "form fields named Campo1, Campo2, check boxes Casella1...: the label is only the printed text beside the field", wFillableG, E[2],
			variant{Labels: lbOffice, Svc: chBefore, YN: chBefore}, []string{"pdf"}, nil, nil},
		loDoc{"lo_qep_fillable_generic_belluno", formQEP, "fillable-generic", "form fields named Campo1..., the label only printed beside them", wFillableG, E[3],
			variant{Labels: lbOffice, Svc: chBefore}, []string{"pdf"}, nil, nil},
		loDoc{"lo_ig_fourcol_chioggia", formIG, "fourcol", "two label | value pairs per table row", wFourCol, E[4],
			variant{Labels: lbOffice, Svc: chBefore}, []string{"pdf", "docx"}, nil, nil},
		loDoc{"lo_qep_fourcol_bassano", formQEP, "fourcol", "two pairs per row: the compilation date in the cell next to the esercizio IPs", wFourCol, E[5],
			variant{Labels: lbForm, Svc: chAfter, DateAfterIPs: true}, []string{"pdf", "odt"}, nil, nil},
	)
	// Partly filled: empty value cells leave labels one after another in the printed text.
	partIG := map[string]string{"ente.tipologia": "", "ente.indirizzo": "", "referente.telefono": "", "software_house.ragione_sociale": "", "software_house.email": ""}
	docs = append(docs,
		loDoc{"lo_ig_partial_treviso", formIG, "partial", "optional values left empty: their labels stand one after another with no value between", wPrinted, E[1],
			variant{Labels: lbForm, Svc: chBefore, Blank: partIG}, []string{"pdf", "docx", "odt"}, nil, nil},
		loDoc{"lo_qep_partial_belluno", formQEP, "partial", "esercizio IPs not known yet (empty), the compilation date in the next row", wPrinted, E[3],
			variant{Labels: lbForm, Svc: chBefore, DateAfterIPs: true, Blank: map[string]string{"ip_esercizio": "", "azienda.email_referente_tecnico": ""}}, []string{"pdf", "odt"}, nil, nil},
	)
	for _, d := range docs {
		exp := expected(d.form, full(d.form, d.e), d.v, d.override, d.problems)
		c.lo(d.name, d.layout, d.note, false, writerHTML(formBlocks(d.form, d.e, d.v), d.wl, d.v.Sections), d.targets, exp)
	}

	// A test report printed to PDF: the test date beside the IPs.
	{
		e := E[6]
		bs, exp := esiti(e, e.IPEserc, ", ", nil, nil)
		exp.Source = ""
		bs = append([]block{{Kind: bTitle, Text: "Esiti collaudo MyPay"}}, bs[1], bs[2], bs[0], bs[3])
		c.lo("lo_esiti_fourcol_ulss", "fourcol", "test report as a two-pairs-per-row table: Data collaudo 11/03/2026 in the cell before the IPs", false,
			writerHTML(bs, wFourCol, ""), []string{"pdf", "docx"}, exp)
	}

	// --- LibreOffice Calc, from HTML: merged cells, "X" columns ---
	calcDocs := []loDoc{
		{"lo_ig_xlsx_padova", formIG, "xlsx-merged", "title and values merged over columns; services as option | X rows with the label merged down", "", E[0],
			variant{Labels: lbOffice, Svc: chXCol}, nil, nil, nil},
		{"lo_qep_xlsx_treviso", formQEP, "xlsx-merged", "merged title, values merged over two columns, services option | X", "", E[1],
			variant{Labels: lbForm, Svc: chXCol, IPSep: "\n"}, nil, nil, nil},
		{"lo_ig_xlsx_sections_rovigo", formIG, "xlsx-merged+sections", "section rows merged across the sheet, generic labels, yes/no as option | X", "", E[2],
			variant{Labels: lbSections, Svc: chXCol, YN: chXCol}, nil, nil, nil},
		{"lo_qep_xlsx_belluno", formQEP, "xlsx-merged", "boxes before the options in one cell", "", E[3],
			variant{Labels: lbOffice, Svc: chBefore}, nil, nil, nil},
	}
	for _, d := range calcDocs {
		exp := expected(d.form, full(d.form, d.e), d.v, d.override, d.problems)
		c.lo(d.name, d.layout, d.note, true, calcHTML(formBlocks(d.form, d.e, d.v)), []string{"xlsx"}, exp)
	}

	if err := c.word(E); err != nil {
		return nil, err
	}
	if err := c.mails(E); err != nil {
		return nil, err
	}
	for _, d := range c.Manifest.Documents {
		if err := checkExpected(d); err != nil {
			return nil, fmt.Errorf("%s: %w", d.File, err)
		}
	}
	slices.SortFunc(c.Manifest.Documents, func(a, b Document) int {
		if a.File < b.File {
			return -1
		}
		return 1
	})
	return c, nil
}

// word adds the DOCX files written as Word writes them.
func (c *Corpus) word(E []Ente) error {
	type wd struct {
		name, form, layout, note string
		e                        Ente
		v                        variant
		values                   string
		paragraphs               bool
		override                 map[string]any
		problems                 []string
	}
	// Values corrected with track changes on: the earlier value, deleted.
	corrected := map[string]map[string]string{
		"word_ig_trackchanges_treviso": {"referente.telefono": "0422 000 000", "tipi_dovuto.iban": ibanIT("05034", "12011", "000000099999")},
		"word_qep_trackchanges_schio":  {"ip_esercizio": "85.39.70.99"},
	}
	schioBadCF := E[8]
	schioBadCF.CF = breakLast(E[8].CF)
	jesoloPriv := E[9]
	jesoloPriv.IPEserc = append(slices.Clone(E[9].IPEserc), "192.168.1.20")
	padovaBadPIVA := E[0]
	padovaBadPIVA.PIVA = breakLast(E[0].PIVA)
	blank := map[string]string{"referente.telefono": "", "software_house.ragione_sociale": "", "software_house.email": ""}
	docs := []wd{
		{"word_ig_legacy_padova", formIG, "checkboxes+sections", "legacy FORMTEXT fields for values, FORMCHECKBOX before options (w:default / w:checked), sections as merged rows (w:gridSpan) with generic labels", E[0],
			variant{Labels: lbSections, Sections: secCaption, Svc: chLegacy, YN: chLegacy, Mod: chLegacy}, wvFormText, false, nil, nil},
		{"word_qep_legacy_padova", formQEP, "checkboxes", "legacy FORMTEXT and FORMCHECKBOX fields, office labels", E[0],
			variant{Labels: lbOffice, Svc: chLegacy}, wvFormText, false, nil, nil},
		{"word_ig_sdt_treviso", formIG, "checkboxes", "text content controls for values, content-control check boxes (☒/☐ in MS Gothic)", E[1],
			variant{Labels: lbOffice, Svc: chSDT, YN: chSDT}, wvSDT, false, nil, nil},
		{"word_ig_sdtwing_rovigo", formIG, "checkboxes+sections", "content-control check boxes with Wingdings glyphs (þ / ¨), Heading 2 sections, generic labels", E[2],
			variant{Labels: lbSections, Sections: secNumbered, Svc: chSDTWing, YN: chSDTWing}, wvSDT, false, nil, nil},
		{"word_qep_sdt_rovigo", formQEP, "checkboxes", "content controls, Wingdings check boxes for the services", E[2],
			variant{Labels: lbOffice, Svc: chSDTWing}, wvSDT, false, nil, nil},
		{"word_ig_xcol_belluno", formIG, "checkboxes+sections", "services as option | X rows with the label merged down (w:vMerge), prerequisites as Sì / No rows, bold paragraph sections", E[3],
			variant{Labels: lbSections, Sections: secBold, Svc: chXCol, YN: chXCol}, wvPlain, false, nil, nil},
		{"word_ig_strike_chioggia", formIG, "checkboxes+inline-sections", "the unchosen option struck through (w:strike); labels with the section inside", E[4],
			variant{Labels: lbInline, Svc: chStrike, YN: chStrike}, wvPlain, false, nil, nil},
		{"word_ig_paragraphs_bassano", formIG, "paragraphs", "Label: FORMTEXT paragraphs, FORMCHECKBOX options", E[5],
			variant{Labels: lbForm, Svc: chLegacy, YN: chLegacy}, wvFormText, true, nil, nil},
		{"word_ig_empty_fields_ulss", formIG, "table", "some legacy text fields left empty (five en spaces): no value", E[6],
			variant{Labels: lbOffice, Svc: chBefore, Blank: blank}, wvFormText, false, nil, nil},
		{"word_ig_empty_sdt_castelfranco", formIG, "table", "some content controls left with their placeholder: no value", E[7],
			variant{Labels: lbOffice, Svc: chSDT, YN: chSDT, Blank: blank}, wvSDT, false, nil, nil},
		{"word_qep_castelfranco", formQEP, "table", "plain runs split mid-word, boxes typed as glyphs before the options", E[7],
			variant{Labels: lbOffice, Svc: chBefore, IPSep: "\n"}, wvPlain, false, nil, nil},
		{"word_ig_cf_errato_schio", formIG, "checkboxes", "legacy fields; codice fiscale ente with a wrong check digit: a problem", schioBadCF,
			variant{Labels: lbOffice, Svc: chLegacy, YN: chLegacy}, wvFormText, false, nil, []string{"ente.codice_fiscale"}},
		{"word_qep_ip_privato_jesolo", formQEP, "checkboxes", "legacy fields; a private IP among the esercizio IPs: dropped, a problem", jesoloPriv,
			variant{Labels: lbForm, Svc: chLegacy, IPSep: "\n"}, wvFormText, false, map[string]any{"ip_esercizio": E[9].IPEserc}, []string{"ip_esercizio"}},
	}
	docs = append(docs,
		wd{"word_ig_sino_jesolo", formIG, "checkboxes+sections", "services and prerequisites in Sì | No columns (X in one of them), section rows merged across the table", E[9],
			variant{Labels: lbSections, Sections: secCaption, Svc: chSiNo, YN: chSiNo}, wvPlain, false, nil, nil},
		wd{"word_qep_sino_schio", formQEP, "checkboxes", "services in Sì | No columns, text content controls for values", E[8],
			variant{Labels: lbOffice, Svc: chSiNo, IPSep: "\n"}, wvSDT, false, nil, nil},
		wd{"word_qep_piva_errata_padova", formQEP, "table", "partita IVA with a wrong check digit: a problem", padovaBadPIVA,
			variant{Labels: lbOffice, Svc: chSDT}, wvSDT, false, nil, []string{"azienda.partita_iva"}},
		wd{"word_ig_trackchanges_treviso", formIG, "track-changes", "edited with track changes on: the unchosen service deleted (w:del), the phone and the IBAN corrected (old value in w:delText, new in w:ins)", E[1],
			variant{Labels: lbOffice, Svc: chTracked, YN: chTracked}, wvPlain, false, nil, nil},
		wd{"word_qep_trackchanges_schio", formQEP, "track-changes", "edited with track changes on: the unchosen service deleted, an IP in esercizio corrected", E[8],
			variant{Labels: lbForm, Svc: chTracked}, wvPlain, false, nil, nil},
	)
	// Printed to PDF as well: check boxes, X and Sì/No columns drawn on the page.
	printed := map[string]bool{"word_ig_legacy_padova": true, "word_ig_sino_jesolo": true, "word_ig_sdtwing_rovigo": true, "word_ig_xcol_belluno": true, "word_qep_legacy_padova": true}
	for _, d := range docs {
		exp := expected(d.form, full(d.form, d.e), d.v, d.override, d.problems)
		sec := d.v.Sections
		data, err := docxZip(wordXML(formBlocks(d.form, d.e, d.v), d.values, sec, corrected[d.name], d.paragraphs))
		if err != nil {
			return err
		}
		c.Files["word/"+d.name+".docx"] = data
		c.add("word/"+d.name+".docx", "word-xml", d.layout, d.note, exp)
		if printed[d.name] {
			c.WordToPDF = append(c.WordToPDF, d.name)
			pexp := exp
			pexp.Drawn = nil
			for k, style := range map[string]string{"servizi": d.v.Svc, "modalita_attivazione": d.v.Mod, "prerequisiti.adesione_pagopa": d.v.YN, "prerequisiti.prodotti_myextranet": d.v.YN} {
				if _, ok := exp.Fields[k]; ok && style == chLegacy {
					pexp.Drawn = append(pexp.Drawn, k)
				}
			}
			slices.Sort(pexp.Drawn)
			c.add("libreoffice/"+d.name+".pdf", "libreoffice", "printed-pdf/word-"+d.layout, "the Word file printed to PDF by LibreOffice: "+d.note, pexp)
		}
	}
	return nil
}
