package mailaddr

import "testing"

func TestParse(t *testing.T) {
	for in, want := range map[string]Address{
		"Mario Rossi <M.Rossi@Comune.Venezia.IT>": "m.rossi@comune.venezia.it",
		"  m.rossi@x.it ":                         "m.rossi@x.it",
		"\u212Aarl@x.it":                          "\u212Aarl@x.it", // the Kelvin sign stays: it is not "k"
		"İnfo@x.it":                               "İnfo@x.it",
		"not an address":                          "",
		"a@b@c":                                   "",
		"@x.it":                                   "",
		"x@":                                      "",
		"a@x.it, b@x.it":                          "",
		"":                                        "",
	} {
		if got := Parse(in); got != want {
			t.Errorf("Parse(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCompare(t *testing.T) {
	cases := []struct {
		a, b string
		same bool
	}{
		{"Staff@Regione.Veneto.IT", "staff@regione.veneto.it", true},
		{" staff@regione.veneto.it", "staff@regione.veneto.it ", true},
		{"\u212Aarl@x.it", "karl@x.it", false},
		{"staff+1@regione.veneto.it", "staff@regione.veneto.it", false}, // a tag is folded only when asked
	}
	for _, c := range cases {
		if got := Same(c.a, c.b); got != c.same {
			t.Errorf("Same(%q, %q) = %v, want %v", c.a, c.b, got, c.same)
		}
	}
	if got := Norm("X+Promo@Y.it").Untagged(); got != "x@y.it" {
		t.Errorf("Untagged = %q", got)
	}
	if got := Norm("x@Mail.Y.IT.").Domain(); got != "mail.y.it" {
		t.Errorf("Domain = %q", got)
	}
	for addr, want := range map[string]bool{"staff@x.it": true, "\u212Aarl@x.it": false, "a@b@c": false, "": false} {
		if got := Norm(addr).Trusted(); got != want {
			t.Errorf("Trusted(%q) = %v, want %v", addr, got, want)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"Mario <m@x.it>", "\u212A@x.it", "a@b@c", " X@Y.IT "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a := Parse(s)
		if a == "" {
			return
		}
		if Norm(string(a)) != a || Parse(string(a)) != a {
			t.Errorf("Parse(%q) = %q is not a fixed point", s, a)
		}
		if Fold(string(a)) != string(a) {
			t.Errorf("Parse(%q) = %q is not folded", s, a)
		}
	})
}
