package parsers

import (
	"strings"
	"testing"
)

// TestSenderAddressesFoldASCIIOnly: the sender of a message and the certified sender of a PEC
// envelope are folded in ASCII only, so a look-alike (Kelvin sign, dotted capital I) stays
// distinct from the address it imitates.
func TestSenderAddressesFoldASCIIOnly(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Mario.Rossi@Comune.Venezia.IT", "mario.rossi@comune.venezia.it"},
		{"\u212a.bianchi@comune.venezia.it", "\u212a.bianchi@comune.venezia.it"},
		{"\u0130NFO@ENTE.IT", "\u0130nfo@ente.it"},
	} {
		env, err := ReadEnvelope(strings.NewReader("From: X <" + c.in + ">\r\nSubject: s\r\n\r\nbody\r\n"))
		if err != nil {
			t.Fatal(err)
		}
		if env.From != c.want {
			t.Errorf("envelope From of %q = %q, want %q", c.in, env.From, c.want)
		}
		p, err := parseDaticert([]byte(`<postacert tipo="posta-certificata"><intestazione><mittente>` + c.in + `</mittente></intestazione></postacert>`))
		if err != nil {
			t.Fatal(err)
		}
		if p.Mittente != c.want {
			t.Errorf("PEC mittente of %q = %q, want %q", c.in, p.Mittente, c.want)
		}
	}
}
