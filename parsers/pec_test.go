package parsers

import (
	"crypto/x509"
	"os"
	"reflect"
	"testing"
)

const pecTestDaticert = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE postacert SYSTEM "Postacert.dtd">
<postacert tipo="posta-certificata" errore="nessuno">
  <intestazione>
    <mittente>Protocollo@PEC.comune.esempio.it</mittente>
    <destinatari tipo="certificato">call.center@pec.regione.veneto.it</destinatari>
    <oggetto>Richiesta &amp; moduli</oggetto>
  </intestazione>
  <dati>
    <gestore-emittente>ARUBA PEC S.p.A.</gestore-emittente>
    <data zona="+0100"><giorno>26/11/2026</giorno><ora>10:15:00</ora></data>
    <identificativo>opec1@pec.aruba.it</identificativo>
    <msgid>&lt;abc@pec.comune.esempio.it&gt;</msgid>
  </dati>
</postacert>`

func TestParseDaticert(t *testing.T) {
	cases := []struct {
		name    string
		in      string
		want    PEC
		wantErr bool
	}{
		{
			name: "posta-certificata",
			in:   pecTestDaticert,
			want: PEC{Tipo: "posta-certificata", Mittente: "protocollo@pec.comune.esempio.it", Msgid: "abc@pec.comune.esempio.it", Gestore: "ARUBA PEC S.p.A.", Data: "26/11/2026 10:15:00 +0100",
				Destinatari: []string{"call.center@pec.regione.veneto.it"}},
		},
		{
			// Receipts are often ISO-8859-1; the oggetto has a raw "à".
			name: "receipt in ISO-8859-1 without zone",
			in:   "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><postacert tipo=\"avvenuta-consegna\" errore=\"nessuno\"><intestazione><mittente>a@pec.it</mittente><oggetto>Citt\xe0</oggetto></intestazione><dati><gestore-emittente>Namirial</gestore-emittente><data><giorno>01/12/2026</giorno><ora>09:00:01</ora></data><msgid>id@x</msgid></dati></postacert>",
			want: PEC{Tipo: "avvenuta-consegna", Mittente: "a@pec.it", Msgid: "id@x", Gestore: "Namirial", Data: "01/12/2026 09:00:01"},
		},
		{
			// Non-strict parsing: a bare "&" in the oggetto must not lose the data.
			name: "bare ampersand",
			in:   `<postacert tipo="errore"><intestazione><oggetto>A & B</oggetto><mittente>x@pec.it</mittente></intestazione></postacert>`,
			want: PEC{Tipo: "errore", Mittente: "x@pec.it"},
		},
		{name: "wrong root", in: `<altro tipo="x"/>`, wantErr: true},
		{name: "empty postacert", in: `<postacert/>`, wantErr: true},
		{name: "not xml", in: "ciao", wantErr: true},
		{name: "empty", in: "", wantErr: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := parseDaticert([]byte(c.in))
			if c.wantErr {
				if err == nil {
					t.Fatalf("want error, got %+v", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(*got, c.want) {
				t.Errorf("got  %+v\nwant %+v", *got, c.want)
			}
		})
	}
}

func TestParseDaticertLimit(t *testing.T) {
	big := make([]byte, maxDaticertBytes+1)
	if _, err := parseDaticert(big); err == nil {
		t.Fatal("oversize daticert accepted")
	}
}

func FuzzParseDaticert(f *testing.F) {
	f.Add([]byte(pecTestDaticert))
	f.Add([]byte(`<postacert tipo="accettazione"><dati><msgid>&lt;x&gt;</msgid></dati></postacert>`))
	f.Add([]byte(`<?xml version="1.0" encoding="windows-1252"?><postacert tipo="x"/>`))
	f.Add([]byte(`<postacert><dati><data zona=""><giorno></giorno></data></dati></postacert>`))
	if b, err := os.ReadFile("../testdata/mail/pec-posta-certificata.eml"); err == nil {
		f.Add(b) // a whole message: not XML, must just fail
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := parseDaticert(data)
		if err == nil && (p == nil || reflect.DeepEqual(*p, PEC{})) {
			t.Fatalf("no error and no data for %q", data)
		}
	})
}

// FuzzProviderIndex: reading an index of PEC providers never panics, and what it returns holds
// only certificates that parse.
func FuzzProviderIndex(f *testing.F) {
	f.Add([]byte("version: 1\n\ndn: o=x\nproviderName: x\nproviderCertificate;binary:: AAAA\n"))
	f.Add([]byte("dn: o=x\nproviderName:: eA==\nproviderCertificate:: MAA=\n \n\n# c\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ps, err := ParseProviderIndex(data)
		if err == nil && len(ps) == 0 {
			t.Fatal("no error and no provider")
		}
		for _, p := range ps {
			for _, der := range p.Certs {
				if _, err := x509.ParseCertificate(der); err != nil {
					t.Fatalf("certificate returned that does not parse: %v", err)
				}
			}
		}
	})
}
