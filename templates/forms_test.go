package templates

import (
	"bytes"
	"errors"
	"regexp"
	"testing"

	"mailbot/parsers"
)

func TestBlankForm(t *testing.T) {
	friendly := regexp.MustCompile(`^[A-Z][A-Za-z_-]+\.(pdf|docx|odt)$`)
	magic := map[string][]byte{"pdf": []byte("%PDF-"), "docx": []byte("PK\x03\x04"), "odt": []byte("PK\x03\x04")}
	seen := map[string]bool{}
	for _, spec := range parsers.Forms {
		for _, format := range []string{"pdf", "docx", "odt"} {
			name, data, err := BlankForm(spec.Type, format)
			if err != nil {
				t.Fatalf("BlankForm(%s, %s): %v", spec.Type, format, err)
			}
			if !friendly.MatchString(name) {
				t.Errorf("%s: file name %q", spec.Type, name)
			}
			if seen[name] {
				t.Errorf("file name %q used twice", name)
			}
			seen[name] = true
			if !bytes.HasPrefix(data, magic[format]) {
				t.Errorf("%s: not a %s file", name, format)
			}
		}
	}
	if name, _, _ := BlankForm(parsers.FormInformativaGenerale, "pdf"); name != "Informativa_Generale_ente.pdf" {
		t.Errorf("informativa generale: %q", name)
	}
	if len(blankFormNames) != len(parsers.Forms) {
		t.Errorf("%d names for %d forms", len(blankFormNames), len(parsers.Forms))
	}
	for _, c := range [][2]string{{"modulo_x", "pdf"}, {parsers.FormEsitiCollaudo, "xlsx"}, {parsers.FormEsitiCollaudo, "../pdf"}} {
		if _, _, err := BlankForm(c[0], c[1]); !errors.Is(err, ErrNoBlankForm) {
			t.Errorf("BlankForm(%q, %q): got %v", c[0], c[1], err)
		}
	}
}
