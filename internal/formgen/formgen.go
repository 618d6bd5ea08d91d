// Package formgen makes the forms mailbot ships blank (templates/forms) and filled examples for
// tests (testdata/forms) from parsers.Forms, the one schema of the forms. Its output is byte for
// byte reproducible: zip entries are stored with a fixed date and PDFs carry no dates and an ID
// derived from their content, so regenerating changes nothing unless the schema changed.
//
// Every field, in every format, is one row: the Italian label, then the value. In the PDF each
// value is an AcroForm text field named after the field key (hierarchically: "ente" with kid
// "codice_fiscale" is the field "ente.codice_fiscale"), with the label as its tooltip (/TU).
// "servizi" is a text field like any other ("MyPay, MyPivot"), not two check boxes: the same
// value then reads the same way from PDF, DOCX, ODT, XLSX and mail bodies.
package formgen

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"mailbot/parsers"
)

// Formats a form can be made in.
const (
	FormatPDF  = "pdf"
	FormatDOCX = "docx"
	FormatODT  = "odt"
	FormatXLSX = "xlsx"
)

// BlankFormats are the formats of the blank forms sent to referents.
var BlankFormats = []string{FormatPDF, FormatDOCX, FormatODT}

var (
	ErrUnknownForm   = errors.New("unknown form type")
	ErrUnknownFormat = errors.New("unknown format")
	ErrUnknownField  = errors.New("unknown field")
)

// row is one field as printed: label and value lines (none in a blank form).
type row struct {
	Key       string
	Label     string
	Lines     []string
	Multiline bool
}

// formData is what every writer renders.
type formData struct {
	Type    string
	Title   string
	Keyword string // parsers.FormKeyword: the form's id and version in its properties
	Version string
	Rows    []row
}

// multilineKeys are free-text fields that usually take more than a line.
var multilineKeys = map[string]bool{
	"prodotto.descrizione":     true,
	"processo.fasi":            true,
	"collaudo.note":            true,
	"collaudo.pagamenti_prova": true,
}

func isMultiline(f parsers.Field) bool {
	return f.Kind == parsers.KindList || f.Kind == parsers.KindIPs || multilineKeys[f.Key]
}

// prepare checks values against the schema and splits them into lines.
func prepare(formType string, values map[string]string) (*formData, error) {
	spec := parsers.Spec(formType)
	if spec == nil {
		return nil, fmt.Errorf("%w: %q", ErrUnknownForm, formType)
	}
	known := make(map[string]bool, len(spec.Fields))
	for _, f := range spec.Fields {
		known[f.Key] = true
	}
	var unknown []string
	for k := range values {
		if !known[k] {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return nil, fmt.Errorf("%w in %s: %s", ErrUnknownField, formType, strings.Join(unknown, ", "))
	}
	d := &formData{Type: spec.Type, Title: spec.Title, Keyword: parsers.FormKeyword(spec.Type), Version: parsers.FormVersion}
	for _, f := range spec.Fields {
		d.Rows = append(d.Rows, row{
			Key:       f.Key,
			Label:     f.Label,
			Lines:     splitLines(values[f.Key]),
			Multiline: isMultiline(f),
		})
	}
	return d, nil
}

// splitLines splits a value on line ends, dropping trailing empty lines; "" gives no lines.
func splitLines(v string) []string {
	v = strings.ReplaceAll(v, "\r\n", "\n")
	v = strings.ReplaceAll(v, "\r", "\n")
	v = strings.TrimRight(v, "\n")
	if v == "" {
		return nil
	}
	return strings.Split(v, "\n")
}

// Fill returns the form of a type in a format with the values given (keys as in parsers.Forms;
// a value may hold several lines). Nil values give the blank form. A key the form lacks is an
// error, so that a typo in a fixture does not silently leave a field empty.
func Fill(formType, format string, values map[string]string) ([]byte, error) {
	d, err := prepare(formType, values)
	if err != nil {
		return nil, err
	}
	var b []byte
	switch format {
	case FormatPDF:
		b, err = renderPDF(d)
	case FormatDOCX:
		b, err = renderDOCX(d)
	case FormatODT:
		b, err = renderODT(d)
	case FormatXLSX:
		b, err = renderXLSX(d)
	default:
		return nil, fmt.Errorf("%w: %q", ErrUnknownFormat, format)
	}
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", formType, format, err)
	}
	return b, nil
}

// Blank returns the blank form of a type in a format.
func Blank(formType, format string) ([]byte, error) {
	return Fill(formType, format, nil)
}

// BlankFiles returns every blank form by file name, <type>.<format>, as in templates/forms.
func BlankFiles() (map[string][]byte, error) {
	files := make(map[string][]byte)
	for _, spec := range parsers.Forms {
		for _, format := range BlankFormats {
			b, err := Blank(spec.Type, format)
			if err != nil {
				return nil, err
			}
			files[spec.Type+"."+format] = b
		}
	}
	return files, nil
}

// WriteFiles writes files into dir, creating it, and returns the names written, sorted.
func WriteFiles(dir string, files map[string][]byte) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create %s: %w", dir, err)
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if err := os.WriteFile(filepath.Join(dir, name), files[name], 0o644); err != nil {
			return nil, fmt.Errorf("write form: %w", err)
		}
	}
	return names, nil
}
