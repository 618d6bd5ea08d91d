package formgen

import (
	"fmt"
	"strings"
	"text/template"

	"mailbot/parsers"
)

// odtText escapes s for content.xml. ODF collapses runs of white space (ODF 1.3 part 3,
// 6.1.2), so the second and later spaces of a run become text:s and tabs text:tab.
func odtText(s string) string {
	var b strings.Builder
	spaces := 0
	flush := func() {
		if spaces > 0 {
			fmt.Fprintf(&b, `<text:s text:c="%d"/>`, spaces)
			spaces = 0
		}
	}
	prevSpace := true // so that a leading space is kept as text:s
	for _, r := range s {
		switch {
		case r == ' ' && !prevSpace:
			b.WriteByte(' ')
			prevSpace = true
		case r == ' ':
			spaces++
		case r == '\t':
			flush()
			b.WriteString("<text:tab/>")
			prevSpace = true
		default:
			flush()
			b.WriteString(xmlText(string(r)))
			prevSpace = false
		}
	}
	flush()
	return b.String()
}

var odtFuncs = template.FuncMap{"x": xmlText, "t": odtText}

const odtMimetype = "application/vnd.oasis.opendocument.text"

const odtManifest = `<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">
 <manifest:file-entry manifest:full-path="/" manifest:version="1.3" manifest:media-type="application/vnd.oasis.opendocument.text"/>
 <manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
 <manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml"/>
 <manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/>
</manifest:manifest>
`

const odtStyles = `<?xml version="1.0" encoding="UTF-8"?>
<office:document-styles xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" office:version="1.3"><office:styles><style:default-style style:family="paragraph"><style:text-properties style:font-name="Liberation Sans" fo:font-family="'Liberation Sans', Arial" fo:font-size="10pt" fo:language="it" fo:country="IT"/></style:default-style></office:styles><office:automatic-styles><style:page-layout style:name="A4"><style:page-layout-properties fo:page-width="21cm" fo:page-height="29.7cm" fo:margin-top="2cm" fo:margin-bottom="2cm" fo:margin-left="2cm" fo:margin-right="2cm"/></style:page-layout></office:automatic-styles><office:master-styles><style:master-page style:name="Standard" style:page-layout-name="A4"/></office:master-styles></office:document-styles>
`

var odtMetaTmpl = template.Must(template.New("meta").Funcs(funcs).Parse(`<?xml version="1.0" encoding="UTF-8"?>
<office:document-meta xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" xmlns:dc="http://purl.org/dc/elements/1.1/" office:version="1.3"><office:meta><meta:generator>mailbot formgen</meta:generator><dc:title>{{x .Title}}</dc:title><dc:language>it-IT</dc:language><meta:keyword>{{x .Keyword}}</meta:keyword><meta:user-defined meta:name="` + parsers.FormProperty + `">{{x .Type}}</meta:user-defined><meta:user-defined meta:name="` + parsers.FormVersionProperty + `">{{x .Version}}</meta:user-defined></office:meta></office:document-meta>
`))

// Each single-line value stands between bookmarks named after its key, in its cell: the reader
// takes the cell a key's bookmark stands in as that field's value. LibreOffice keeps bookmarks
// when it saves the ODT again or as DOCX (ODT form controls and named fields were tried first:
// LibreOffice 7.4 drops form controls on opening, and user fields hold one value per document).
var odtContentTmpl = template.Must(template.New("content").Funcs(odtFuncs).Parse(`<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" office:version="1.3">
<office:automatic-styles>
<style:style style:name="Titolo" style:family="paragraph" style:master-page-name="Standard"><style:paragraph-properties fo:margin-bottom="0.4cm"/><style:text-properties fo:font-size="16pt" fo:font-weight="bold"/></style:style>
<style:style style:name="Modulo" style:family="table"><style:table-properties style:width="17cm" table:align="left"/></style:style>
<style:style style:name="Modulo.A" style:family="table-column"><style:table-column-properties style:column-width="7cm"/></style:style>
<style:style style:name="Modulo.B" style:family="table-column"><style:table-column-properties style:column-width="10cm"/></style:style>
<style:style style:name="Modulo.R" style:family="table-row"><style:table-row-properties style:min-row-height="0.7cm"/></style:style>
<style:style style:name="Modulo.M" style:family="table-row"><style:table-row-properties style:min-row-height="1.6cm"/></style:style>
<style:style style:name="Modulo.L" style:family="table-cell"><style:table-cell-properties fo:background-color="#f2f2f2" fo:padding="0.1cm" fo:border="0.5pt solid #808080"/></style:style>
<style:style style:name="Modulo.V" style:family="table-cell"><style:table-cell-properties fo:padding="0.1cm" fo:border="0.5pt solid #808080"/></style:style>
</office:automatic-styles>
<office:body><office:text>
<text:p text:style-name="Titolo">{{t .Title}}</text:p>
<table:table table:name="Modulo" table:style-name="Modulo"><table:table-column table:style-name="Modulo.A"/><table:table-column table:style-name="Modulo.B"/>
{{range .Rows}}<table:table-row table:style-name="{{if .Multiline}}Modulo.M{{else}}Modulo.R{{end}}"><table:table-cell table:style-name="Modulo.L" office:value-type="string"><text:p>{{t .Label}}</text:p></table:table-cell><table:table-cell table:style-name="Modulo.V" office:value-type="string"><text:p>{{if not .Multiline}}<text:bookmark-start text:name="{{t .Key}}"/>{{end}}{{range $i, $l := .Lines}}{{if $i}}<text:line-break/>{{end}}{{t $l}}{{end}}{{if not .Multiline}}<text:bookmark-end text:name="{{t .Key}}"/>{{end}}</text:p></table:table-cell></table:table-row>
{{end}}</table:table>
<text:p/>
</office:text></office:body></office:document-content>
`))

func renderODT(d *formData) ([]byte, error) {
	content, err := execTemplate(odtContentTmpl, d)
	if err != nil {
		return nil, err
	}
	meta, err := execTemplate(odtMetaTmpl, d)
	if err != nil {
		return nil, err
	}
	return writeZip([]zipEntry{
		{"mimetype", []byte(odtMimetype)},
		{"META-INF/manifest.xml", []byte(odtManifest)},
		{"content.xml", content},
		{"styles.xml", []byte(odtStyles)},
		{"meta.xml", meta},
	})
}
