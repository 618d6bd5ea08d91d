package parsers

import (
	"errors"
	"strings"
	"testing"
)

type identCase struct {
	in, want string // want: normalised value when valid
	reason   string // substring of the error when invalid ("" = valid)
}

func runIdentCases(t *testing.T, name string, check func(string) (string, error), cases []identCase) {
	t.Helper()
	for _, c := range cases {
		got, err := check(c.in)
		if c.reason == "" {
			if err != nil {
				t.Errorf("%s(%q): unexpected error %v", name, c.in, err)
			} else if got != c.want {
				t.Errorf("%s(%q) = %q, want %q", name, c.in, got, c.want)
			}
			continue
		}
		if err == nil {
			t.Errorf("%s(%q) = %q, want error containing %q", name, c.in, got, c.reason)
			continue
		}
		var ie *IdentifierError
		if !errors.As(err, &ie) {
			t.Errorf("%s(%q): error %T is not *IdentifierError", name, c.in, err)
		}
		if !strings.Contains(err.Error(), c.reason) {
			t.Errorf("%s(%q): error %q does not contain %q", name, c.in, err, c.reason)
		}
		if !strings.HasSuffix(err.Error(), ".") {
			t.Errorf("%s(%q): error %q is not a sentence", name, c.in, err)
		}
	}
}

func TestCheckCFEnte(t *testing.T) {
	runIdentCases(t, "CheckCFEnte", CheckCFEnte, []identCase{
		{"80007580279", "80007580279", ""}, // Regione del Veneto
		{"00339370272", "00339370272", ""}, // Comune di Venezia
		{" 800 075 802 79 ", "80007580279", ""},
		{"80007580270", "", "la cifra di controllo non corrisponde"},
		{"8000758027", "", "deve avere 11 cifre, ne ha 10"},
		{"800075802799", "", "deve avere 11 cifre, ne ha 12"},
		{"8000758O279", "", "non sono cifre"},
		{"RSSMRA85T10A562S", "", "sembra un codice fiscale personale"},
		{"00000000000", "", "soli zeri"},
		{"", "", "è vuoto"},
	})
	_, err := CheckCFEnte("80007580270")
	want := `Il codice fiscale dell'ente "80007580270" non è valido: la cifra di controllo non corrisponde.`
	if err == nil || err.Error() != want {
		t.Errorf("sentence = %v, want %s", err, want)
	}
}

func TestCheckPIVA(t *testing.T) {
	runIdentCases(t, "CheckPIVA", CheckPIVA, []identCase{
		{"00339370272", "00339370272", ""},
		{"IT00339370272", "00339370272", ""},
		{"it 00339370272", "00339370272", ""},
		{"00339370273", "", "La partita IVA \"00339370273\" non è valida: la cifra di controllo"},
		{"0033937027", "", "11 cifre"},
	})
}

func TestCheckCFPerson(t *testing.T) {
	runIdentCases(t, "CheckCFPerson", CheckCFPerson, []identCase{
		{"RSSMRA85T10A562S", "RSSMRA85T10A562S", ""},
		{"rssmra85t10a562s", "RSSMRA85T10A562S", ""},        // lowercase accepted
		{"RSS MRA 85T10 A562S", "RSSMRA85T10A562S", ""},     // spaced for reading
		{"RSSMRA85T10A56NH", "RSSMRA85T10A56NH", ""},        // omocodia in the last digit
		{"RSSMRA85T1LA56NK", "RSSMRA85T1LA56NK", ""},        // two omocodic positions
		{"BNCGNN70A41H501V", "BNCGNN70A41H501V", ""},        // woman (day + 40)
		{"80007580279", "80007580279", ""},                  // provisional numeric code
		{"RSSMRA85T10A562T", "", "la lettera di controllo"}, // wrong check letter
		{"RSSMRA85T10A562", "", "16 caratteri, ne ha 15"},
		{"RSSMRA85T10A56AS", "", "posizione 15 dovrebbe essere una cifra"}, // A is not an omocodia letter
		{"RSSMR485T10A562S", "", "posizione 6 dovrebbe essere una lettera"},
		{"RSSMRA85Z10A562S", "", "mese di nascita"},
		{"RSSMRA85T10A562$", "", "caratteri non ammessi"},
	})
}

func TestCheckIPA(t *testing.T) {
	runIdentCases(t, "CheckIPA", CheckIPA, []identCase{
		{"c_l736", "c_l736", ""},
		{"C_L736", "C_L736", ""}, // capitals are valid and kept as written
		{"r_veneto", "r_veneto", ""},
		{" r_veneto ", "r_veneto", ""},
		{"x", "", "da 2 a 35 caratteri, ne ha 1"},
		{strings.Repeat("a", 36), "", "ne ha 36"},
		{"c l736", "", "contiene spazi"},
		{"c-l736", "", "caratteri non ammessi"},
	})
}

func TestCheckIBAN(t *testing.T) {
	runIdentCases(t, "CheckIBAN", CheckIBAN, []identCase{
		{"IT60X0542811101000000123456", "IT60X0542811101000000123456", ""},
		{"it60 x054 2811 1010 0000 0123 456", "IT60X0542811101000000123456", ""},
		{"IBAN: IT60X0542811101000000123456", "IT60X0542811101000000123456", ""},
		{"GB82WEST12345698765432", "GB82WEST12345698765432", ""},
		{"IT61X0542811101000000123456", "", "le cifre di controllo non corrispondono"},
		{"IT60X054281110100000012345", "", "27 caratteri, ne ha 26"},
		{"60X0542811101000000123456", "", "sigla del paese"},
		{"IT60X05428111010000001234_6", "", "caratteri non ammessi"},
	})
}

func TestCheckEmailPEC(t *testing.T) {
	cases := []identCase{
		{"mario.rossi@comune.venezia.it", "mario.rossi@comune.venezia.it", ""},
		{"Mario Rossi <mario.rossi@comune.venezia.it>", "mario.rossi@comune.venezia.it", ""},
		{"mailto:protocollo@pec.comune.venezia.it", "protocollo@pec.comune.venezia.it", ""},
		{"mario.rossi.comune.venezia.it", "", "manca il simbolo @"},
		{"mario rossi@comune.it", "", "contiene spazi"},
		{"mario@localhost", "", "il dominio \"localhost\" non è valido"},
		{"a@b.it@c.it", "", "più di un simbolo @"},
	}
	runIdentCases(t, "CheckEmail", CheckEmail, cases)
	runIdentCases(t, "CheckPEC", CheckPEC, cases)
	if _, err := CheckPEC("x"); err == nil || !strings.HasPrefix(err.Error(), "L'indirizzo PEC") {
		t.Errorf("CheckPEC error = %v, want it to name the PEC", err)
	}
}

func TestNormalizeIP(t *testing.T) {
	runIdentCases(t, "NormalizeIP", NormalizeIP, []identCase{
		{"203.0.113.10", "203.0.113.10", ""}, // documentation ranges stay accepted: fixtures use them
		{"198.51.100.7", "198.51.100.7", ""},
		{"192.0.2.1", "192.0.2.1", ""},
		{"8.8.8.8", "8.8.8.8", ""},
		{"203.0.113.5/24", "203.0.113.0/24", ""},
		{"203.0.113.7/32", "203.0.113.7", ""},
		{"2001:DB8::1", "2001:db8::1", ""},
		{"2a00:1450:4002::/48", "2a00:1450:4002::/48", ""},
		{"::ffff:8.8.4.4", "8.8.4.4", ""},
		{"[2001:db8::2]", "2001:db8::2", ""},
		{"10.1.2.3", "", "è un indirizzo privato, non raggiungibile da Internet"},
		{"172.20.0.1", "", "privato"},
		{"192.168.1.10", "", "privato"},
		{"192.168.0.0/16", "", "privato"},
		{"127.0.0.1", "", "loopback"},
		{"::1", "", "loopback"},
		{"169.254.1.1", "", "link-local"},
		{"fe80::1", "", "link-local"},
		{"fe80::1%eth0", "", "identificativo di interfaccia"},
		{"0.0.0.0", "", "non specificato"},
		{"::", "", "non specificato"},
		{"224.0.0.5", "", "multicast"},
		{"ff02::1", "", "multicast"},
		{"100.64.1.1", "", "CGNAT"},
		{"fd12:3456::1", "", "privato"},
		{"::ffff:10.0.0.1", "", "privato"},
		{"8.0.0.0/8", "", "troppo ampia"},
		{"0.0.0.0/0", "", "non specificato"},
		{"300.1.2.3", "", "da 0 a 255"},
		{"server.comune.it", "", "non è scritto come un indirizzo"},
		{"1.2.3.4/33", "", "non è scritto come un indirizzo"},
	})
	_, err := NormalizeIP("192.168.1.10")
	want := `L'indirizzo IP "192.168.1.10" non è valido: è un indirizzo privato, non raggiungibile da Internet.`
	if err == nil || err.Error() != want {
		t.Errorf("NormalizeIP sentence = %v, want %s", err, want)
	}
}

func FuzzCheckCFEnte(f *testing.F) {
	for _, s := range []string{"80007580279", "00339370272", "IT00339370272", "8000758027x", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, check := range []func(string) (string, error){CheckCFEnte, CheckPIVA} {
			v, err := check(s)
			if err == nil {
				if len(v) != 11 || identLuhn11(v) != v[10] {
					t.Fatalf("accepted %q as %q", s, v)
				}
				if v2, err := check(v); err != nil || v2 != v {
					t.Fatalf("normalised %q not stable: %q %v", v, v2, err)
				}
			}
		}
	})
}

func FuzzCheckCFPerson(f *testing.F) {
	for _, s := range []string{"RSSMRA85T10A562S", "rssmra85t10a56nh", "RSSMRA85T1LA56NK", "80007580279", "X"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := CheckCFPerson(s)
		if err == nil {
			if v2, err := CheckCFPerson(v); err != nil || v2 != v {
				t.Fatalf("normalised %q not stable: %q %v", v, v2, err)
			}
		}
	})
}

func FuzzCheckIPA(f *testing.F) {
	for _, s := range []string{"c_l736", "R_VENETO", "a b", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if v, err := CheckIPA(s); err == nil && (len(v) < 2 || len(v) > 35) {
			t.Fatalf("accepted %q", v)
		}
	})
}

func FuzzCheckIBAN(f *testing.F) {
	for _, s := range []string{"IT60X0542811101000000123456", "GB82WEST12345698765432", "IT60", "IBAN"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := CheckIBAN(s)
		if err == nil {
			if v2, err := CheckIBAN(v); err != nil || v2 != v {
				t.Fatalf("normalised %q not stable: %q %v", v, v2, err)
			}
		}
	})
}

func FuzzCheckEmail(f *testing.F) {
	for _, s := range []string{"a@b.it", "Nome <a@b.it>", "mailto:x@pec.it", "@", "a@@b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := CheckEmail(s)
		if err == nil {
			if v2, err := CheckEmail(v); err != nil || v2 != v {
				t.Fatalf("normalised %q not stable: %q %v", v, v2, err)
			}
		}
	})
}

func FuzzCheckIP(f *testing.F) {
	for _, s := range []string{"203.0.113.10", "10.0.0.1", "2001:db8::/48", "::ffff:1.2.3.4", "fe80::1%eth0", "1.2.3.4/33"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := NormalizeIP(s)
		if err == nil {
			if v2, err := NormalizeIP(v); err != nil || v2 != v {
				t.Fatalf("normalised %q not stable: %q %v", v, v2, err)
			}
		}
	})
}
