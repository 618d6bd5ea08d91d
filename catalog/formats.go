package catalog

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"
)

// Formats the catalogs are written in.
const (
	FormatJSON = "json"
	FormatCSV  = "csv"
	FormatHTML = "html"
)

// Formats lists every format.
var Formats = []string{FormatJSON, FormatCSV, FormatHTML}

// ParseFormats reads a -format value: one format, several separated by commas, or "all".
func ParseFormats(v string) ([]string, error) {
	if v == "all" {
		return slices.Clone(Formats), nil
	}
	var out []string
	for _, f := range strings.Split(v, ",") {
		f = strings.ToLower(strings.TrimSpace(f))
		if !slices.Contains(Formats, f) {
			return nil, fmt.Errorf("unknown format %q (want json, csv, html or all)", f)
		}
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out, nil
}

// bom starts every CSV file: Excel reads UTF-8 only with it (LibreOffice either way).
const bom = "\ufeff"

// JSON renders a catalog as {"generated_at": RFC 3339 UTC, "items": [...]}, fields in column
// order, lists always arrays, items never null.
func (c *Catalog) JSON(generatedAt time.Time) []byte {
	doc := struct {
		GeneratedAt string       `json:"generated_at"`
		Items       []orderedRow `json:"items"`
	}{GeneratedAt: generatedAt.UTC().Format(time.RFC3339), Items: []orderedRow{}}
	for _, e := range c.Entries {
		doc.Items = append(doc.Items, orderedRow{c.Columns, e})
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		panic("catalog: " + err.Error()) // strings and lists of strings always encode
	}
	return append(b, '\n')
}

// orderedRow encodes an entry with its fields in column order.
type orderedRow struct {
	cols []Column
	e    Entry
}

func (r orderedRow) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, col := range r.cols {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(col.Field)
		b.Write(k)
		b.WriteByte(':')
		var v any = r.e.Text(col.Field)
		if col.Kind == List {
			l, _ := r.e.Values[col.Field].([]string)
			if l == nil {
				l = []string{}
			}
			v = l
		}
		enc, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		b.Write(enc)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// CSV renders a catalog as RFC 4180 CSV in UTF-8 with a byte-order mark: a header row of the
// JSON field names, then one row per entry, lists joined with "; ".
func (c *Catalog) CSV() []byte {
	var b bytes.Buffer
	b.WriteString(bom)
	w := csv.NewWriter(&b)
	w.UseCRLF = true
	header := make([]string, len(c.Columns))
	for i, col := range c.Columns {
		header[i] = col.Field
	}
	w.Write(header)
	for _, e := range c.Entries {
		row := make([]string, len(c.Columns))
		for i, col := range c.Columns {
			row[i] = csvCell(e.Text(col.Field))
		}
		w.Write(row)
	}
	w.Flush() // writing to a bytes.Buffer cannot fail
	return b.Bytes()
}

// csvCell neutralises a value that a spreadsheet would run as a formula (OWASP, "CSV
// Injection"): a cell starting with =, +, -, @, tab or carriage return gets a leading apostrophe,
// which spreadsheets show as text. Form values come from strangers' mail.
func csvCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// Files renders the catalogs in the formats asked, keyed by path relative to the output
// directory: NAME.FORMAT per catalog; for HTML also index.html and the assets (style sheet,
// fonts, licences) the pages link to. The pages link to the CSV and JSON files only when those
// are written too.
func (s *Set) Files(formats []string) (map[string][]byte, error) {
	files := map[string][]byte{}
	downloads := slices.Contains(formats, FormatCSV) && slices.Contains(formats, FormatJSON)
	for _, f := range formats {
		for _, c := range s.Catalogs {
			switch f {
			case FormatJSON:
				files[c.Name+".json"] = c.JSON(s.GeneratedAt)
			case FormatCSV:
				files[c.Name+".csv"] = c.CSV()
			case FormatHTML:
				page, err := s.Page(c.Name, downloads)
				if err != nil {
					return nil, err
				}
				files[c.Name+".html"] = page
			default:
				return nil, fmt.Errorf("unknown format %q", f)
			}
		}
		if f == FormatHTML {
			index, err := s.Index()
			if err != nil {
				return nil, err
			}
			files["index.html"] = index
			for name, body := range Assets() {
				files[name] = body
			}
		}
	}
	return files, nil
}

// WriteDir writes files under dir (created if missing), each through a temporary file and a
// rename, so that a web server reading dir never sees half a file.
func WriteDir(dir string, files map[string][]byte) error {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return fmt.Errorf("write catalogs: %w", err)
		}
		if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, files[name]) {
			continue // unchanged: keep its modification time
		}
		tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
		if err != nil {
			return fmt.Errorf("write catalogs: %w", err)
		}
		_, werr := tmp.Write(files[name])
		cerr := tmp.Close()
		if err := firstErr(werr, cerr, os.Chmod(tmp.Name(), 0o644)); err != nil {
			os.Remove(tmp.Name())
			return fmt.Errorf("write %s: %w", path, err)
		}
		if err := os.Rename(tmp.Name(), path); err != nil {
			os.Remove(tmp.Name())
			return fmt.Errorf("write %s: %w", path, err)
		}
	}
	return nil
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
