package ticketing

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"
)

// registryFixture is the small extract of IndicePA's Enti file the tests use.
func registryFixture(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile("../testdata/registry/enti.csv")
	if err != nil {
		t.Fatalf("fixture missing: %v", err)
	}
	return b
}

func TestParseRegistry(t *testing.T) {
	enti, err := ParseRegistry(registryFixture(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(enti) != 8 {
		t.Fatalf("%d enti, want 8", len(enti))
	}
	want := RegistryEnte{CodiceIPA: "c_l736", Denominazione: "Comune di Venezia", CodiceFiscale: "00339370272",
		Tipologia: "Pubbliche Amministrazioni", Categoria: "L6", Indirizzo: "San Marco, 4136", CAP: "30124",
		PEC: "protocollo@pec.comune.venezia.it"}
	if enti[1] != want {
		t.Errorf("Venezia read as %+v\nwant %+v", enti[1], want)
	}

	// Columns in another order, separated by semicolons, behind a byte-order mark; the PEC is
	// the first mail of type Pec, not Mail1.
	semi := "\ufeffCAP;Mail1;Tipo_Mail1;Mail2;Tipo_Mail2;Denominazione_ente;Codice_IPA;Codice_fiscale_ente\r\n" +
		"30124;urp@comune.venezia.it;Altro;protocollo@pec.comune.venezia.it;Pec;Comune di Venezia;c_l736;00339370272\r\n" +
		";;;;;senza codice;;00000000000\r\n"
	enti, err = ParseRegistry([]byte(semi))
	if err != nil {
		t.Fatal(err)
	}
	if len(enti) != 1 || enti[0].PEC != "protocollo@pec.comune.venezia.it" || enti[0].CAP != "30124" || enti[0].CodiceIPA != "c_l736" {
		t.Errorf("semicolon file read as %+v", enti)
	}

	for name, bad := range map[string]string{
		"not the Enti file": "Codice;Nome\nx;y\n",
		"no ente":           "Codice_IPA,Denominazione_ente,Codice_fiscale_ente\n",
		"empty":             "",
	} {
		if _, err := ParseRegistry([]byte(bad)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func FuzzParseRegistry(f *testing.F) {
	f.Add([]byte("Codice_IPA,Denominazione_ente,Codice_fiscale_ente\nc_l736,Comune di Venezia,00339370272\n"))
	f.Add([]byte("Codice_IPA;Denominazione_ente;Codice_fiscale_ente;Mail1;Tipo_Mail1\n\"c_\"\"x;a;b;c;Pec\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		enti, err := ParseRegistry(data)
		if err == nil && len(enti) == 0 {
			t.Fatal("no error and no ente")
		}
		for _, e := range enti {
			if e.CodiceIPA == "" {
				t.Fatalf("ente without codice IPA: %+v", e)
			}
		}
	})
}

func TestImportRegistry(t *testing.T) {
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	if reg, err := s.Registry(ctx, nil, "c_l736"); err != nil || reg != nil {
		t.Fatalf("before any import: %v, %v (want no registry)", reg, err)
	}
	src, err := s.ImportRegistry(ctx, registryFixture(t), "enti.csv", now)
	if err != nil {
		t.Fatal(err)
	}
	if src.Enti != 8 || len(src.SHA256) != 64 {
		t.Errorf("source %+v", src)
	}
	got, ok, err := s.RegistrySource(ctx)
	if err != nil || !ok || got.SHA256 != src.SHA256 || !got.ImportedAt.Equal(now) {
		t.Errorf("source read back %+v %v %v", got, ok, err)
	}
	reg, err := s.Registry(ctx, []Form{{Fields: map[string]any{"ente.codice_ipa": "C_L736", "ente.codice_fiscale": "00644060287"}}})
	if err != nil {
		t.Fatal(err)
	}
	if e, ok := reg.ByIPA("c_L736"); !ok || e.CodiceFiscale != "00339370272" {
		t.Errorf("by IPA: %+v %v", e, ok)
	}
	if e, ok := reg.ByCodiceFiscale("00644060287"); !ok || e.CodiceIPA != "c_g224" {
		t.Errorf("by codice fiscale: %+v %v", e, ok)
	}
	if _, ok := reg.ByIPA("c_zzzz"); ok {
		t.Error("unknown code found")
	}

	// A broken file leaves the registry as it was.
	if _, err := s.ImportRegistry(ctx, []byte("Codice;Nome\n"), "broken.csv", now); err == nil {
		t.Fatal("broken file imported")
	}
	// A new file replaces the registry whole.
	if _, err := s.ImportRegistry(ctx, []byte("Codice_IPA,Denominazione_ente,Codice_fiscale_ente\nc_g224,Comune di Padova,00644060287\n"), "new.csv", now); err != nil {
		t.Fatal(err)
	}
	reg, err = s.Registry(ctx, nil, "c_l736", "c_g224")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := reg.ByIPA("c_l736"); ok {
		t.Error("Venezia still in the registry after a new import without it")
	}
	if _, ok := reg.ByIPA("c_g224"); !ok {
		t.Error("Padova not imported")
	}
}

// TestMergeRegistry: the registry of enti as a source in the case file.
func TestMergeRegistry(t *testing.T) {
	venezia := RegistryEnte{CodiceIPA: "c_l736", Denominazione: "Comune di Venezia", CodiceFiscale: "00339370272", PEC: "protocollo@pec.comune.venezia.it"}
	padova := RegistryEnte{CodiceIPA: "c_g224", Denominazione: "Comune di Padova", CodiceFiscale: "00644060287"}
	reg := &Registry{byIPA: map[string]RegistryEnte{"c_l736": venezia, "c_g224": padova},
		byCF: map[string]RegistryEnte{"00339370272": venezia, "00644060287": padova}}
	type want struct {
		key, doubt string // doubt: a fragment of the doubt staff see; "" for a sure value
	}
	cases := []struct {
		name      string
		fields    map[string]any
		reg       *Registry
		want      []want
		conflicts int
	}{
		{
			name:   "codes the registry confirms are sure, even when read with doubt",
			fields: map[string]any{"ente.codice_ipa": "c_l736?", "ente.codice_fiscale": "00339370272?", "ente.denominazione": "COMUNE DI VENEZIA"},
			reg:    reg,
			want:   []want{{"ente.codice_ipa", ""}, {"ente.codice_fiscale", ""}, {"ente.denominazione", ""}},
		},
		{
			name:   "one fact alone is not confirmed by finding itself",
			fields: map[string]any{"ente.codice_ipa": "c_l736?"},
			reg:    reg,
			want:   []want{{"ente.codice_ipa", "?"}},
		},
		{
			name:      "a codice fiscale the registry gives another ente is a conflict with the registry's value",
			fields:    map[string]any{"ente.codice_ipa": "c_l736", "ente.codice_fiscale": "00644060287", "ente.denominazione": "Comune di Venezia"},
			reg:       reg,
			want:      []want{{"ente.codice_ipa", ""}, {"ente.denominazione", ""}, {"ente.codice_fiscale", "«00339370272» (registro IndicePA, ente c_l736)"}},
			conflicts: 1,
		},
		{
			name:   "an unknown codice IPA is a doubt naming the ente of the codice fiscale",
			fields: map[string]any{"ente.codice_ipa": "c_l737", "ente.codice_fiscale": "00339370272"},
			reg:    reg,
			want:   []want{{"ente.codice_ipa", "il codice IPA «c_l737» non è nel registro IndicePA; al codice fiscale 00339370272 il registro associa c_l736 «Comune di Venezia»"}, {"ente.codice_fiscale", ""}},
		},
		{
			name:   "an unknown codice fiscale is a doubt",
			fields: map[string]any{"ente.codice_fiscale": "80007310263", "ente.denominazione": "Comune di Treviso"},
			reg:    reg,
			want:   []want{{"ente.codice_fiscale", "il codice fiscale «80007310263» non è nel registro IndicePA"}, {"ente.denominazione", ""}},
		},
		{
			name:   "a pilot ente's codice IPA is checked too",
			fields: map[string]any{"ente_pilota.codice_ipa": "c_x999", "ente_pilota.denominazione": "Comune di X"},
			reg:    reg,
			want:   []want{{"ente_pilota.codice_ipa", "non è nel registro"}},
		},
		{
			name:   "without a registry nothing is doubted for that reason",
			fields: map[string]any{"ente.codice_ipa": "c_l737", "ente.codice_fiscale": "80007310263"},
			want:   []want{{"ente.codice_ipa", ""}, {"ente.codice_fiscale", ""}},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cf := Merge([]Form{form("m1", ig, "informativa.pdf", "form_field", c.fields)}, MergeOptions{Registry: c.reg})
			f := cf.Forms[ig]
			for _, w := range c.want {
				p := f.Provenance[w.key]
				switch {
				case w.doubt == "" && !p.Sure:
					t.Errorf("%s: not sure (%s)", w.key, p.Doubt)
				case w.doubt != "" && p.Sure:
					t.Errorf("%s: sure, want a doubt", w.key)
				case w.doubt != "" && w.doubt != "?" && !strings.Contains(p.Doubt, w.doubt):
					t.Errorf("%s: doubt %q, want it to say %q", w.key, p.Doubt, w.doubt)
				}
			}
			if len(cf.Conflicts) != c.conflicts {
				t.Errorf("%d conflicts, want %d: %+v", len(cf.Conflicts), c.conflicts, cf.Conflicts)
			}
			if len(f.Problems) != 0 {
				t.Errorf("the registry made problems for the referent: %+v", f.Problems)
			}
			if c.reg != nil && len(cf.Registry) == 0 {
				t.Error("no registry note for staff")
			}
		})
	}

	// A staff member's value stands against the registry.
	staff := form("m2", ig, "valore indicato da staff", HowStaff, map[string]any{"ente.codice_ipa": "c_new", "ente.codice_fiscale": "00644060287"})
	cf := Merge([]Form{staff}, MergeOptions{Registry: &Registry{byIPA: map[string]RegistryEnte{}, byCF: map[string]RegistryEnte{}}})
	for _, k := range []string{"ente.codice_ipa", "ente.codice_fiscale"} {
		if p := cf.Forms[ig].Provenance[k]; !p.Sure {
			t.Errorf("staff's %s doubted: %s", k, p.Doubt)
		}
	}
}
