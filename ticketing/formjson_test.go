package ticketing

import (
	"bytes"
	"encoding/json"
	"testing"
	"unicode/utf8"
)

// formJSONCases are texts whose quoting differs between encoders: HTML, control characters,
// invalid UTF-8, the line separators JavaScript reads as line ends.
var formJSONCases = []string{"", "Comune di Prova", "Ca' Farsetti, San Marco 4136", "riscossione\nnel", "«sì»",
	`a "b" \c`, "<b>&amp;</b>", "\x00\x01\b\f\t\r\x1f\x7f", "bad \xff\xfe utf-8 \xe2\x82", "\u2028\u2029", "€ 10,00"}

// TestFormJSONAsMarshal: a form's row holds the same bytes as encoding/json wrote, so that the
// searches of retention over the stored text find what they found.
func TestFormJSONAsMarshal(t *testing.T) {
	for _, s := range formJSONCases {
		checkFormJSON(t, s, s+"x")
	}
	// A value of a type forms do not hold goes to encoding/json.
	if _, ok := appendFields(nil, map[string]any{"n": 1.5}); ok {
		t.Error("a number was encoded as a form's value")
	}
}

func FuzzFormJSON(f *testing.F) {
	for _, s := range formJSONCases {
		f.Add(s, "corpo del messaggio")
	}
	f.Fuzz(checkFormJSON)
}

// checkFormJSON encodes a form's fields and provenance made of a and b both ways.
func checkFormJSON(t *testing.T, a, b string) {
	t.Helper()
	fields := map[string]any{a: b, b: []string{a, b}, "l": []any{a, []any{b, true}, nil}, "n": nil, "s": []string(nil),
		"y": false, "e": []any{}}
	want, err := json.Marshal(fields)
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := appendFields(nil, fields); !ok || !bytes.Equal(got, want) {
		t.Errorf("fields of %q, %q:\n got %s (%v)\nwant %s", a, b, got, ok, want)
	}
	if got, _ := appendFields(nil, nil); string(got) != "null" {
		t.Errorf("no fields: %s", got)
	}
	prov := map[string]Provenance{a: {Document: a, Where: b, Label: a, How: b, Sure: true, Doubt: a, Vouched: b},
		b: {Document: b, How: a}, "x": {}, "y": {Document: "other", Sure: true}}
	rows := map[string]provenanceRow{}
	for k, p := range prov {
		r := provenanceRow{Provenance: p}
		if p.Document != a || !utf8.ValidString(p.Document) {
			r.Document = &p.Document
		}
		rows[k] = r
	}
	want, err = json.Marshal(rows)
	if err != nil {
		t.Fatal(err)
	}
	if got := appendProvenance(nil, prov, a); !bytes.Equal(got, want) {
		t.Errorf("provenance of %q, %q:\n got %s\nwant %s", a, b, got, want)
	}
}
