package formgen

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"mailbot/parsers"
)

// The round trips offices make with mailbot's blank forms, run through LibreOffice headless:
// a form filled in one format and saved in another, or printed to PDF. For each, whether the
// fields' identities (the DOCX content controls named after each single-line value's key, the
// ODT bookmarks named so in the value's cell) survive, so that values are read by key; where they do not, the form's id in the document
// properties is still there, and the values are read by their labels. Either way every value
// must be read right and sure. README ("Reading mailbot's own forms") reports this table.
var officeTrips = []struct {
	from, to string
	identity bool // the fields' keys survive: single-line values are read by identity
}{
	{FormatDOCX, FormatDOCX, true},
	{FormatDOCX, FormatODT, false},
	{FormatODT, FormatDOCX, true}, // the ODT's bookmarks become DOCX bookmarks
	{FormatODT, FormatODT, true},
	{FormatDOCX, FormatPDF, false},
	{FormatODT, FormatPDF, false},
}

// soffice returns LibreOffice's command, failing the test where it must be installed (CI, or a
// run against real servers) and skipping it elsewhere.
func soffice(t *testing.T) string {
	path, err := exec.LookPath("soffice")
	if err == nil {
		return path
	}
	if os.Getenv("CI") != "" || os.Getenv("MAILBOT_TEST_REAL_SERVERS") == "1" {
		t.Fatalf("LibreOffice is not installed (apt-get install libreoffice-writer-nogui): %v", err)
	}
	t.Skip("LibreOffice (soffice) not installed")
	return ""
}

// convert saves every file in files as format, with a profile of its own, and returns the
// converted files by their input's name.
func convert(t *testing.T, bin, dir, format string, files []string) map[string][]byte {
	t.Helper()
	out := filepath.Join(dir, "to-"+format)
	args := []string{"-env:UserInstallation=file://" + filepath.ToSlash(filepath.Join(dir, "profile")),
		"--headless", "--norestore", "--convert-to", format, "--outdir", out}
	cmd := exec.Command(bin, append(args, files...)...)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice --convert-to %s: %v\n%s", format, err, b)
	}
	res := map[string][]byte{}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), filepath.Ext(f)) + "." + format
		b, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatalf("LibreOffice wrote no %s: %v", name, err)
		}
		res[filepath.Base(f)] = b
	}
	return res
}

func TestLibreOfficeRoundTrips(t *testing.T) {
	bin := soffice(t)
	dir := t.TempDir()
	// Inputs are named after their format too ("docx-TYPE.docx", "odt-TYPE.odt"), so that one
	// LibreOffice run per target format converts them all without two outputs sharing a name.
	var inputs []string
	if err := os.MkdirAll(filepath.Join(dir, "in"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, spec := range parsers.Forms {
		vals := map[string]string{}
		for i, f := range spec.Fields {
			vals[f.Key], _ = officeValue(f, i)
		}
		for _, from := range []string{FormatDOCX, FormatODT} {
			b, err := Fill(spec.Type, from, vals)
			if err != nil {
				t.Fatal(err)
			}
			name := filepath.Join(dir, "in", from+"-"+spec.Type+"."+from)
			if err := os.WriteFile(name, b, 0o644); err != nil {
				t.Fatal(err)
			}
			inputs = append(inputs, name)
		}
	}
	converted := map[string]map[string][]byte{} // by format, then input name
	for _, to := range []string{FormatDOCX, FormatODT, FormatPDF} {
		converted[to] = convert(t, bin, dir, to, inputs)
	}

	var report []string
	for _, trip := range officeTrips {
		t.Run(trip.from+"->"+trip.to, func(t *testing.T) {
			byIdentity, byLabel := 0, 0
			for _, spec := range parsers.Forms {
				data := converted[trip.to][trip.from+"-"+spec.Type+"."+trip.from]
				if !hasFormID(data, spec.Type) {
					t.Errorf("%s: the form's id is not in the document properties", spec.Type)
				}
				name := spec.Type + "." + trip.to
				form := readOne(t, name, data)
				if form.Type != spec.Type {
					t.Errorf("%s: read as %q", name, form.Type)
				}
				for i, f := range spec.Fields {
					_, want := officeValue(f, i)
					got := form.Fields[f.Key]
					if s, ok := want.(string); ok && trip.to == FormatPDF {
						// Printed, a text of several lines is one text: its breaks are layout.
						want, got = strings.Join(strings.Fields(s), " "), strings.Join(strings.Fields(fmt.Sprint(got)), " ")
					}
					if !reflect.DeepEqual(got, want) {
						t.Errorf("%s %s: got %#v, want %#v", name, f.Key, got, want)
					}
					p := form.Provenance[f.Key]
					if !p.Sure {
						t.Errorf("%s %s: not sure (%s)", name, f.Key, p.Doubt)
					}
					// Identity is carried by single-line values other than choices.
					switch {
					case p.How == parsers.HowIdentity:
						byIdentity++
					case f.Kind == parsers.KindServices || f.Kind == parsers.KindYesNo || f.Options != nil || isMultiline(f):
					default:
						byLabel++
					}
				}
				if len(form.Problems) > 0 {
					t.Errorf("%s: problems on valid values: %+v", name, form.Problems)
				}
			}
			survived := byLabel == 0 && byIdentity > 0
			if survived != trip.identity {
				t.Errorf("identities survive: %v, the table says %v (%d values by identity, %d by label)", survived, trip.identity, byIdentity, byLabel)
			}
			report = append(report, fmt.Sprintf("%s -> %s: identities %v (%d values by key, %d by label)", trip.from, trip.to, survived, byIdentity, byLabel))
		})
	}
	sort.Strings(report)
	t.Logf("LibreOffice round trips:\n%s", strings.Join(report, "\n"))
}

// hasFormID reports whether a converted file's properties still name the form: its keyword
// (which LibreOffice may split into "mailbot", TYPE, VERSION) or its custom property.
func hasFormID(data []byte, typ string) bool {
	if bytes.HasPrefix(data, []byte("%PDF")) {
		// The Info dictionary's strings are UTF-16 in hexadecimal.
		var u strings.Builder
		for _, r := range typ {
			fmt.Fprintf(&u, "%04X", r)
		}
		return bytes.Contains(data, []byte(typ)) || bytes.Contains(bytes.ToUpper(data), []byte(u.String()))
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return false
	}
	for _, f := range zr.File {
		if f.Name != "docProps/core.xml" && f.Name != "docProps/custom.xml" && f.Name != "meta.xml" {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return false
		}
		b, _ := io.ReadAll(io.LimitReader(rc, 1<<20))
		rc.Close()
		if bytes.Contains(b, []byte("mailbot")) && bytes.Contains(b, []byte(typ)) {
			return true
		}
	}
	return false
}

// officeValue is roundTripValue without another field's label inside a text ("l'ente" names
// the ente's field) and with a code where a code belongs: read by label, a sentence there is
// rightly a doubt, which is not what these round trips measure.
func officeValue(f parsers.Field, i int) (string, any) {
	if strings.HasSuffix(f.Key, ".codice") && f.Kind == parsers.KindText {
		return fmt.Sprintf("TARI%d", i), fmt.Sprintf("TARI%d", i)
	}
	in, want := roundTripValue(f, i)
	if s, ok := want.(string); ok {
		r := strings.NewReplacer("(l'ente)", "(dell'ufficio)")
		return r.Replace(in), r.Replace(s)
	}
	return in, want
}
