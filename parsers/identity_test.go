package parsers

import (
	"testing"
)

// TestOwnFormsByIdentity: mailbot's own forms are read by identity. The form's type comes from
// its document properties when nothing in its text names it (a program kept the properties and
// lost the title), and a value in a control named after its key is read by that key, whatever
// the label beside it says, and not matched by label again.
func TestOwnFormsByIdentity(t *testing.T) {
	// Labels that would match nothing, or another field: only identity reads these right.
	table := docxTableXML(
		[]string{"Campo A", `<w:sdt><w:sdtPr><w:alias w:val="ente.codice_fiscale"/></w:sdtPr><w:sdtContent><w:p><w:r><w:t>00339370272</w:t></w:r></w:p></w:sdtContent></w:sdt>`},
		[]string{"Codice IPA", `<w:sdt><w:sdtPr><w:alias w:val="Ente"/><w:tag w:val="ente.denominazione"/></w:sdtPr><w:sdtContent><w:p><w:r><w:t>Comune di Venezia</w:t></w:r></w:p></w:sdtContent></w:sdt>`},
		[]string{"Codice IPA", "c_l736"},
	)
	// A label inside a value read by key says nothing of where it was read (not in the file
	// without properties, where it would name the form).
	address := docxTableXML([]string{"Campo B", `<w:sdt><w:sdtPr><w:tag w:val="ente.indirizzo"/></w:sdtPr><w:sdtContent><w:p><w:r><w:t>Palazzo dell'ente, San Marco 4136</w:t></w:r></w:p></w:sdtContent></w:sdt>`})
	props := map[string]string{
		"keyword":         `<cp:coreProperties xmlns:cp="x"><cp:keywords>mailbot:informativa_generale:1</cp:keywords></cp:coreProperties>`,
		"split keyword":   `<cp:coreProperties xmlns:cp="x"><cp:keywords>mailbot informativa_generale 1</cp:keywords></cp:coreProperties>`,
		"custom property": ``,
		"no properties":   ``,
	}
	for name, core := range props {
		t.Run(name, func(t *testing.T) {
			entries := map[string]string{
				"[Content_Types].xml": `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`,
				"word/document.xml":   testDocxHead + table + address + `</w:body></w:document>`,
			}
			order := []string{"[Content_Types].xml", "word/document.xml"}
			if core != "" {
				entries["docProps/core.xml"] = core
				order = append(order, "docProps/core.xml")
			}
			if name == "custom property" {
				entries["docProps/core.xml"] = `<cp:coreProperties xmlns:cp="x"/>`
				entries["docProps/custom.xml"] = `<Properties><property name="mailbot_form"><vt:lpwstr xmlns:vt="y">informativa_generale</vt:lpwstr></property></Properties>`
				order = append(order, "docProps/core.xml", "docProps/custom.xml")
			}
			forms, err := ReadDocument("modulo.docx", "", buildZip(t, entries, order...), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if name == "no properties" {
				forms, err = ReadDocument("modulo.docx", "", buildZip(t, map[string]string{
					"[Content_Types].xml": entries["[Content_Types].xml"],
					"word/document.xml":   testDocxHead + table + `</w:body></w:document>`,
				}, order...), Limits{})
				if err != nil {
					t.Fatal(err)
				}
				if len(forms) == 1 && forms[0].Type == FormInformativaGenerale {
					t.Fatalf("typed without properties: the test no longer shows that properties name the form")
				}
				return
			}
			if len(forms) != 1 || forms[0].Type != FormInformativaGenerale {
				t.Fatalf("forms %+v, want one informativa_generale", forms)
			}
			f := forms[0]
			for key, want := range map[string]string{"ente.codice_fiscale": "00339370272", "ente.denominazione": "Comune di Venezia", "ente.codice_ipa": "c_l736",
				"ente.indirizzo": "Palazzo dell'ente, San Marco 4136"} {
				if f.Fields[key] != want || !f.Provenance[key].Sure {
					t.Errorf("%s = %v (%+v), want %q, sure", key, f.Fields[key], f.Provenance[key], want)
				}
			}
			for _, key := range []string{"ente.codice_fiscale", "ente.denominazione"} {
				if f.Provenance[key].How != HowIdentity {
					t.Errorf("%s read %s, want by identity", key, f.Provenance[key].How)
				}
			}
			if f.Provenance["ente.codice_ipa"].How == HowIdentity {
				t.Error("a labelled value read as identity")
			}
		})
	}
}
