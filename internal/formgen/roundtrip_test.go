package formgen

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"mailbot/parsers"
)

// Round trips: every form, filled in every format, read back by parsers.ReadDocument gives its
// type and every value, normalised the way parsers.CheckForm documents it.

var contentTypes = map[string]string{
	FormatPDF:  "application/pdf",
	FormatDOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	FormatODT:  "application/vnd.oasis.opendocument.text",
	FormatXLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

// roundTripValue is a valid value for a field and what the reader must return for it.
func roundTripValue(f parsers.Field, i int) (in string, want any) {
	switch f.Kind {
	case parsers.KindList:
		if len(f.Options) >= 2 { // a closed list: what is not an option is a doubt, rightly
			return f.Options[0] + "\n" + f.Options[1], []string{f.Options[0], f.Options[1]}
		}
		return fmt.Sprintf("primo elemento %d\nsecondo elemento %d", i, i),
			[]string{fmt.Sprintf("primo elemento %d", i), fmt.Sprintf("secondo elemento %d", i)}
	case parsers.KindServices:
		return "MyPay, MyPivot", []string{parsers.ServiceMyPay, parsers.ServiceMyPivot}
	case parsers.KindIPs:
		return "203.0.113.10\n198.51.100.0/28", []string{"203.0.113.10", "198.51.100.0/28"}
	case parsers.KindCFEnte:
		return "00339370272", "00339370272"
	case parsers.KindPIVA:
		return "04123456784", "04123456784"
	case parsers.KindCFPerson:
		return "RSSMRA80A01L736U", "RSSMRA80A01L736U"
	case parsers.KindIPA:
		return "c_l736", "c_l736"
	case parsers.KindEmail:
		return "mario.rossi@comune.venezia.it", "mario.rossi@comune.venezia.it"
	case parsers.KindPEC:
		return "protocollo@pec.comune.venezia.it", "protocollo@pec.comune.venezia.it"
	case parsers.KindIBAN:
		return "IT55R0306902117100000046001", "IT55R0306902117100000046001"
	case parsers.KindYesNo:
		return "sì", "sì"
	case parsers.KindDate:
		return "15/01/2025", "15/01/2025"
	case parsers.KindURL:
		return "https://tributi.comune.venezia.it/mypay/esito", "https://tributi.comune.venezia.it/mypay/esito"
	}
	v := fmt.Sprintf("Valore %d à è ì ò ù (l'ente) & <prova>", i)
	if isMultiline(f) {
		v += fmt.Sprintf("\nseconda riga %d", i)
	}
	return v, v
}

func readOne(t *testing.T, name string, data []byte) parsers.Form {
	t.Helper()
	ext := strings.TrimPrefix(filepath.Ext(name), ".")
	forms, err := parsers.ReadDocument(name, contentTypes[ext], data, parsers.Limits{})
	if err != nil {
		t.Fatalf("%s: ReadDocument: %v", name, err)
	}
	if len(forms) != 1 {
		t.Fatalf("%s: %d forms, want 1: %+v", name, len(forms), forms)
	}
	return forms[0]
}

func TestRoundTrip(t *testing.T) {
	for _, spec := range parsers.Forms {
		values := map[string]string{}
		want := map[string]any{}
		for i, f := range spec.Fields {
			values[f.Key], want[f.Key] = roundTripValue(f, i)
		}
		for _, format := range []string{FormatPDF, FormatDOCX, FormatODT, FormatXLSX} {
			t.Run(spec.Type+"."+format, func(t *testing.T) {
				b, err := Fill(spec.Type, format, values)
				if err != nil {
					t.Fatal(err)
				}
				name := spec.Type + "." + format
				form := readOne(t, name, b)
				if form.Type != spec.Type {
					t.Errorf("type %q, want %q", form.Type, spec.Type)
				}
				if form.Source != name {
					t.Errorf("source %q, want %q", form.Source, name)
				}
				for _, f := range spec.Fields {
					if got := form.Fields[f.Key]; !reflect.DeepEqual(got, want[f.Key]) {
						t.Errorf("%s: got %#v, want %#v", f.Key, got, want[f.Key])
					}
				}
				for k := range form.Fields {
					if _, ok := want[k]; !ok {
						t.Errorf("unexpected field %s = %#v", k, form.Fields[k])
					}
				}
				if len(form.Problems) != 0 {
					t.Errorf("problems on valid values: %+v", form.Problems)
				}
			})
		}
	}
}

// TestRoundTripBlank: a blank form is recognised and has nothing filled, so every required
// field is reported missing.
func TestRoundTripBlank(t *testing.T) {
	for _, spec := range parsers.Forms {
		for _, format := range BlankFormats {
			name := spec.Type + "." + format
			b, err := Blank(spec.Type, format)
			if err != nil {
				t.Fatal(err)
			}
			form := readOne(t, name, b)
			if form.Type != spec.Type || len(form.Fields) != 0 || len(form.Problems) != 0 {
				t.Errorf("%s: type %q, fields %v, problems %v; want %q and nothing else", name, form.Type, form.Fields, form.Problems, spec.Type)
			}
			var required []string
			for _, f := range spec.Fields {
				if f.Required {
					required = append(required, f.Key)
				}
			}
			if got := parsers.MissingFields(form); !reflect.DeepEqual(got, required) {
				t.Errorf("%s: missing %v, want %v", name, got, required)
			}
		}
	}
}

// knownReaderGaps are fixtures parsers.ReadDocument did not read right when this was written,
// with the reason: they may fail (the test is skipped, saying how), and once one reads right
// the test says so and its entry can go.
var knownReaderGaps = map[string]string{}

// TestReadFixtures reads the committed fixtures, the generated ones and those LibreOffice made,
// and expects what parsers.CheckForm makes of the values they were filled with: the same
// normalised fields and the same problems (the codice fiscale of the cf_errato fixture).
func TestReadFixtures(t *testing.T) {
	byName := map[string]Fixture{}
	for _, fx := range Fixtures() {
		byName[fx.Name] = fx
	}
	var files []string
	for _, dir := range []string{"", "libreoffice"} {
		entries, err := os.ReadDir(filepath.Join("..", "..", "testdata", "forms", dir))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if !e.IsDir() && contentTypes[strings.TrimPrefix(filepath.Ext(e.Name()), ".")] != "" {
				files = append(files, filepath.ToSlash(filepath.Join(dir, e.Name())))
			}
		}
	}
	if len(files) < 15 {
		t.Fatalf("only %d fixture files found", len(files))
	}
	for _, file := range files {
		t.Run(file, func(t *testing.T) {
			base := filepath.Base(file)
			fx, ok := byName[strings.TrimSuffix(base, filepath.Ext(base))]
			if !ok {
				t.Fatalf("no fixture for %s", file)
			}
			data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "forms", file))
			if err != nil {
				t.Fatal(err)
			}
			want := parsers.Form{Type: fx.FormType, Fields: map[string]any{}}
			for k, v := range fx.Values {
				want.Fields[k] = v
			}
			parsers.CheckForm(&want)
			diffs := formDiffs(readOne(t, base, data), want)
			if gap, known := knownReaderGaps[file]; known {
				if len(diffs) == 0 {
					t.Logf("read right now: remove it from knownReaderGaps")
					return
				}
				t.Skipf("known reader gap: %s (%d differences, first: %s)", gap, len(diffs), diffs[0])
			}
			for _, d := range diffs {
				t.Error(d)
			}
		})
	}
}

// formDiffs describes how got differs from want, one line per field or problem list.
func formDiffs(got, want parsers.Form) []string {
	var diffs []string
	if got.Type != want.Type {
		diffs = append(diffs, fmt.Sprintf("type %q, want %q", got.Type, want.Type))
	}
	keys := map[string]bool{}
	for k := range want.Fields {
		keys[k] = true
	}
	for k := range got.Fields {
		keys[k] = true
	}
	sorted := slices.Sorted(maps.Keys(keys))
	for _, k := range sorted {
		if !reflect.DeepEqual(got.Fields[k], want.Fields[k]) {
			diffs = append(diffs, fmt.Sprintf("%s: got %#v, want %#v", k, got.Fields[k], want.Fields[k]))
		}
	}
	if !reflect.DeepEqual(got.Problems, want.Problems) {
		diffs = append(diffs, fmt.Sprintf("problems %+v, want %+v", got.Problems, want.Problems))
	}
	return diffs
}
