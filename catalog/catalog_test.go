package catalog

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"mailbot/ticketing"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func build(t testing.TB, src Source) *Set {
	t.Helper()
	set, err := Build(context.Background(), src, generatedAt, rome)
	if err != nil {
		t.Fatal(err)
	}
	return set
}

// TestGolden: the three catalogs in the three formats, and the index page, from the fixture
// database. go test ./catalog -run Golden -update rewrites them.
func TestGolden(t *testing.T) {
	s, _ := fixtureStore(t)
	files, err := build(t, s).Files(Formats)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, n := range Names {
		for _, f := range Formats {
			names = append(names, n+"."+f)
		}
	}
	names = append(names, "index.html")
	for _, name := range names {
		got, ok := files[name]
		if !ok {
			t.Errorf("%s not written", name)
			continue
		}
		path := filepath.Join("testdata", "golden", name)
		if *update {
			os.MkdirAll(filepath.Dir(path), 0o755)
			if err := os.WriteFile(path, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run with -update to create)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from %s (run with -update if intended):\n%s", name, path, got)
		}
	}
}

// TestContents asserts what the golden files show: which cases make it, in what order, with the
// corrections applied.
func TestContents(t *testing.T) {
	s, ids := fixtureStore(t)
	set := build(t, s)
	keys := func(name string) []string {
		var k []string
		for _, e := range set.Get(name).Entries {
			k = append(k, e.Key)
		}
		return k
	}
	// Only qualified cases; the hidden one is gone; sorted by product name.
	if got, want := keys(Prodotti), []string{ids["sportello"], ids["tributi"]}; !slices.Equal(got, want) {
		t.Errorf("prodotti %v, want %v", got, want)
	}
	if got, want := keys(Processi), []string{ids["tributi"]}; !slices.Equal(got, want) {
		t.Errorf("processi %v, want %v", got, want)
	}
	// Completed integrations with a published product, one per ente and product (Venezia's
	// first), matched case-insensitively; not Treviso (testing), Verona (another product),
	// Belluno (its product hidden).
	if got, want := keys(Enti), []string{ids["padova"], ids["venezia"], ids["rovigo"]}; !slices.Equal(got, want) {
		t.Errorf("enti %v, want %v", got, want)
	}
	p := set.Get(Prodotti).Entries[1]
	if p.Text("prodotto") != "TributiWeb" || p.Text("azienda") != "Software Veneto S.r.l." || p.Text("partita_iva") != "04123456784" ||
		p.Text("servizi") != "MyPay; MyPivot" || p.Text("ente_pilota") != "Comune di Venezia" || p.Text("qualificato_il") != "2026-03-04" {
		t.Errorf("TributiWeb entry %+v", p.Values)
	}
	if sp := set.Get(Prodotti).Entries[0]; sp.Text("versione") != "2.3.1" || sp.Text("funzionalita") != "Riconciliazione; Rendicontazione" {
		t.Errorf("correction not applied: %+v", sp.Values)
	}
	e := set.Get(Enti).Entries[1]
	if e.Text("ente") != "Comune di Venezia" || e.Text("codice_ipa") != "c_l736" || e.Text("prodotto") != "TributiWeb" ||
		e.Text("attivo_dal") != "2026-03-10" || e.Text("servizi") != "MyPay; MyPivot" {
		t.Errorf("Venezia entry %+v", e.Values)
	}
}

// TestNothingPersonal: no address, IP, phone number or person's name of the forms is published
// in any format.
func TestNothingPersonal(t *testing.T) {
	s, _ := fixtureStore(t)
	files, err := build(t, s).Files([]string{FormatJSON, FormatCSV, FormatHTML})
	if err != nil {
		t.Fatal(err)
	}
	for name, body := range files {
		if strings.HasPrefix(name, "assets/") {
			continue
		}
		for _, bad := range []string{"@", "203.0.113.10", "2748111", "Anna Neri", "legalmail", "callback", "00339370272"} {
			if bytes.Contains(body, []byte(bad)) {
				t.Errorf("%s contains %q", name, bad)
			}
		}
	}
}

func TestCSVReadsBack(t *testing.T) {
	s, ids := fixtureStore(t)
	set := build(t, s)
	for _, name := range Names {
		body := set.Get(name).CSV()
		if !bytes.HasPrefix(body, []byte("\xef\xbb\xbf")) {
			t.Errorf("%s.csv has no byte-order mark", name)
		}
		rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte(bom)))).ReadAll()
		if err != nil {
			t.Fatalf("%s.csv: %v", name, err)
		}
		cat := set.Get(name)
		if len(rows) != len(cat.Entries)+1 || len(rows[0]) != len(cat.Columns) || rows[0][0] != "id" {
			t.Fatalf("%s.csv: %d rows, header %v", name, len(rows), rows[0])
		}
	}
	rows, _ := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(set.Get(Processi).CSV(), []byte(bom)))).ReadAll()
	want := []string{ids["tributi"], "Accompagnamento tributi", "Software Veneto S.r.l.",
		"Analisi (azienda e ente, 1 settimana); configurazione dei tipi dovuto (azienda, 2 settimane); collaudo con chiamate da [omesso], referente tel. [omesso] (ente, 1 settimana)",
		"TributiWeb"}
	if !slices.Equal(rows[1], want) {
		t.Errorf("processi row\n%q\nwant\n%q", rows[1], want)
	}
}

func TestJSONEmptyCatalogs(t *testing.T) {
	s, err := ticketing.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	set := build(t, s)
	for _, name := range Names {
		var doc map[string]any
		if err := json.Unmarshal(set.Get(name).JSON(set.GeneratedAt), &doc); err != nil {
			t.Fatal(err)
		}
		items, ok := doc["items"].([]any)
		if !ok || len(items) != 0 || doc["generated_at"] != "2026-04-20T07:30:00Z" {
			t.Errorf("%s.json: %v", name, doc)
		}
		page, err := set.Page(name, true)
		if err != nil || !bytes.Contains(page, []byte("non ha ancora voci")) {
			t.Errorf("%s.html empty page: %v\n%s", name, err, page)
		}
	}
}

func TestJSONListsAreArrays(t *testing.T) {
	s, _ := fixtureStore(t)
	set := build(t, s)
	var doc struct {
		Items []map[string]any `json:"items"`
	}
	if err := json.Unmarshal(set.Get(Prodotti).JSON(set.GeneratedAt), &doc); err != nil {
		t.Fatal(err)
	}
	for _, it := range doc.Items {
		for _, f := range []string{"servizi", "funzionalita"} {
			if _, ok := it[f].([]any); !ok {
				t.Errorf("%s of %v is %T", f, it["id"], it[f])
			}
		}
	}
}

func TestCleanFree(t *testing.T) {
	for in, want := range map[string]string{
		"versione 4.2.1 e ore 10:30, 30 gg":    "versione 4.2.1 e ore 10:30, 30 gg",
		"IP 2001:db8::1 e 198.51.100.0/28":     "IP [omesso] e [omesso]",
		"tel. +39 041 274 8111, entro 30 gg":   "tel. [omesso], entro 30 gg",
		"scrivere a Mario.Rossi@comune.it  ok": "scrivere a [omesso] ok",
	} {
		if got := cleanFree(in); got != want {
			t.Errorf("cleanFree(%q) = %q, want %q", in, got, want)
		}
	}
	if got := brief(strings.Repeat("fase lunga, ", 40), 50); len([]rune(got)) > 50 || !strings.HasSuffix(got, "…") {
		t.Errorf("brief: %q", got)
	}
}

// TestCSVNeutralisesFormulas: a form value a spreadsheet would run as a formula reaches the
// CSV as text (leading apostrophe), and reads back as what was written after it.
func TestCSVNeutralisesFormulas(t *testing.T) {
	hostile := []string{`=HYPERLINK("http://evil.example","clic")`, "+39 041 1234567", "-2+3", "@SUM(A1:A2)",
		"\tTAB", "Comune di Venezia", ""}
	cat := &Catalog{Name: "enti", Columns: []Column{{Field: "id"}, {Field: "ente"}}}
	for i, v := range hostile {
		cat.Entries = append(cat.Entries, Entry{Key: fmt.Sprint(i), Values: map[string]any{"id": fmt.Sprint(i), "ente": v}})
	}
	cat.Entries = append(cat.Entries, Entry{Key: "list", Values: map[string]any{"id": "list", "ente": []string{"=1+1", "ok"}}})
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(cat.CSV(), []byte(bom)))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range hostile {
		got := rows[i+1][1]
		switch {
		case v == "" || !strings.ContainsAny(v[:1], "=+-@\t\r"):
			if got != v {
				t.Errorf("harmless %q became %q", v, got)
			}
		case got != "'"+v:
			t.Errorf("formula %q written as %q, want it after an apostrophe", v, got)
		}
	}
	if got := rows[len(rows)-1][1]; got != "'=1+1; ok" {
		t.Errorf("list cell = %q", got)
	}
	// A lone CR does not survive a CSV reader (nor the CRLF writer): check the bytes.
	cr := &Catalog{Name: "enti", Columns: []Column{{Field: "ente"}}, Entries: []Entry{{Values: map[string]any{"ente": "\r=1"}}}}
	if b := cr.CSV(); !bytes.Contains(b, []byte("\n'=1")) && !bytes.Contains(b, []byte("\"'=1")) {
		t.Errorf("CR cell written as %q", b)
	}
}
