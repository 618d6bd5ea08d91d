package formgen

import (
	"strings"
	"testing"

	"mailbot/parsers"
)

// TestFixtureIdentifiers keeps the fixtures honest: the valid ones pass every identifier check
// of parsers, the "cf_errato" one fails exactly on the codice fiscale ente.
func TestFixtureIdentifiers(t *testing.T) {
	checks := map[string]func(string) (string, error){
		parsers.KindCFEnte:   parsers.CheckCFEnte,
		parsers.KindPIVA:     parsers.CheckPIVA,
		parsers.KindCFPerson: parsers.CheckCFPerson,
		parsers.KindIPA:      parsers.CheckIPA,
		parsers.KindIBAN:     parsers.CheckIBAN,
		parsers.KindEmail:    parsers.CheckEmail,
		parsers.KindPEC:      parsers.CheckPEC,
		parsers.KindIPs:      parsers.NormalizeIP,
	}
	for _, fx := range Fixtures() {
		spec := parsers.Spec(fx.FormType)
		for _, f := range spec.Fields {
			v, ok := fx.Values[f.Key]
			if !ok {
				if f.Required {
					t.Errorf("%s: required %s missing", fx.Name, f.Key)
				}
				continue
			}
			check := checks[f.Kind]
			if check == nil {
				continue
			}
			var err error
			for _, line := range strings.Split(v, "\n") {
				if _, err = check(line); err != nil {
					break
				}
			}
			wantBad := strings.HasSuffix(fx.Name, "_cf_errato") && f.Key == "ente.codice_fiscale"
			if wantBad != (err != nil) {
				t.Errorf("%s %s %q: error %v, want error %v", fx.Name, f.Key, v, err, wantBad)
			}
		}
	}
}
