package formgen

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strings"
	"text/template"

	"mailbot/parsers"
)

// xmlText escapes s for XML character data and attributes.
func xmlText(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s)) // writes to a strings.Builder never fail
	return b.String()
}

var funcs = template.FuncMap{"x": xmlText}

// The DOCX is the smallest package Word and LibreOffice open without complaint: content types,
// package relationships, the document, its relationships and a style sheet for the default font.
const docxContentTypes = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/><Override PartName="/docProps/custom.xml" ContentType="application/vnd.openxmlformats-officedocument.custom-properties+xml"/></Types>`

const docxRels = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties" Target="docProps/custom.xml"/></Relationships>`

const docxDocumentRels = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>`

const docxStyles = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Arial" w:hAnsi="Arial" w:eastAsia="Arial" w:cs="Arial"/><w:sz w:val="20"/><w:szCs w:val="20"/><w:lang w:val="it-IT"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults><w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style><w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/><w:tblPr><w:tblCellMar><w:top w:w="57" w:type="dxa"/><w:left w:w="108" w:type="dxa"/><w:bottom w:w="57" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style></w:styles>`

var docxCoreTmpl = template.Must(template.New("core").Funcs(funcs).Parse(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:title>{{x .Title}}</dc:title><cp:keywords>{{x .Keyword}}</cp:keywords><dc:creator>Regione del Veneto</dc:creator><dc:language>it-IT</dc:language></cp:coreProperties>`))

// Custom properties: the form's id and version, which Word and LibreOffice keep.
var docxCustomTmpl = template.Must(template.New("custom").Funcs(funcs).Parse(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"><property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" name="` + parsers.FormProperty + `"><vt:lpwstr>{{x .Type}}</vt:lpwstr></property><property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="3" name="` + parsers.FormVersionProperty + `"><vt:lpwstr>{{x .Version}}</vt:lpwstr></property></Properties>`))

// Each single-line value stands in a content control named after its key (w:tag, and w:alias,
// the only name LibreOffice keeps). Values of several lines do not: LibreOffice 7.4 turns a
// content control into an input field and drops its line breaks, joining the lines.
//
// Page: A4 with 2 cm margins, 9638 twips of text width split 4000 | 5638.
var docxDocumentTmpl = template.Must(template.New("document").Funcs(funcs).Parse(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>
<w:p><w:pPr><w:spacing w:after="240"/></w:pPr><w:r><w:rPr><w:b/><w:sz w:val="32"/><w:szCs w:val="32"/></w:rPr><w:t xml:space="preserve">{{x .Title}}</w:t></w:r></w:p>
<w:tbl><w:tblPr><w:tblW w:w="9638" w:type="dxa"/><w:tblBorders><w:top w:val="single" w:sz="4" w:space="0" w:color="808080"/><w:left w:val="single" w:sz="4" w:space="0" w:color="808080"/><w:bottom w:val="single" w:sz="4" w:space="0" w:color="808080"/><w:right w:val="single" w:sz="4" w:space="0" w:color="808080"/><w:insideH w:val="single" w:sz="4" w:space="0" w:color="808080"/><w:insideV w:val="single" w:sz="4" w:space="0" w:color="808080"/></w:tblBorders><w:tblLayout w:type="fixed"/><w:tblLook w:val="0000"/></w:tblPr><w:tblGrid><w:gridCol w:w="4000"/><w:gridCol w:w="5638"/></w:tblGrid>
{{range .Rows}}<w:tr><w:trPr><w:cantSplit/>{{if .Multiline}}<w:trHeight w:val="900"/>{{else}}<w:trHeight w:val="400"/>{{end}}</w:trPr><w:tc><w:tcPr><w:tcW w:w="4000" w:type="dxa"/><w:shd w:val="clear" w:color="auto" w:fill="F2F2F2"/></w:tcPr><w:p><w:r><w:t xml:space="preserve">{{x .Label}}</w:t></w:r></w:p></w:tc><w:tc><w:tcPr><w:tcW w:w="5638" w:type="dxa"/></w:tcPr>{{if .Multiline}}<w:p>{{if .Lines}}<w:r>{{range $i, $l := .Lines}}{{if $i}}<w:br/>{{end}}<w:t xml:space="preserve">{{x $l}}</w:t>{{end}}</w:r>{{end}}</w:p>{{else}}<w:sdt><w:sdtPr><w:alias w:val="{{x .Key}}"/><w:tag w:val="{{x .Key}}"/></w:sdtPr><w:sdtContent><w:p>{{if .Lines}}<w:r>{{range $i, $l := .Lines}}{{if $i}}<w:br/>{{end}}<w:t xml:space="preserve">{{x $l}}</w:t>{{end}}</w:r>{{end}}</w:p></w:sdtContent></w:sdt>{{end}}</w:tc></w:tr>
{{end}}</w:tbl>
<w:p/>
<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1134" w:right="1134" w:bottom="1134" w:left="1134" w:header="708" w:footer="708" w:gutter="0"/></w:sectPr></w:body></w:document>`))

func renderDOCX(d *formData) ([]byte, error) {
	doc, err := execTemplate(docxDocumentTmpl, d)
	if err != nil {
		return nil, err
	}
	core, err := execTemplate(docxCoreTmpl, d)
	if err != nil {
		return nil, err
	}
	custom, err := execTemplate(docxCustomTmpl, d)
	if err != nil {
		return nil, err
	}
	return writeZip([]zipEntry{
		{"[Content_Types].xml", []byte(docxContentTypes)},
		{"_rels/.rels", []byte(docxRels)},
		{"docProps/core.xml", core},
		{"docProps/custom.xml", custom},
		{"word/document.xml", doc},
		{"word/_rels/document.xml.rels", []byte(docxDocumentRels)},
		{"word/styles.xml", []byte(docxStyles)},
	})
}

func execTemplate(t *template.Template, data any) ([]byte, error) {
	var b bytes.Buffer
	if err := t.Execute(&b, data); err != nil {
		return nil, fmt.Errorf("template %s: %w", t.Name(), err)
	}
	return b.Bytes(), nil
}
