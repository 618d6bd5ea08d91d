package mailbot

import (
	"testing"
	"time"

	"mailbot/parsers"
	"mailbot/ticketing"
)

// TestFormRecordVouched (issue 18): an address field whose doubtful value is the message's
// verified sender is vouched for, and the case file then holds it as sure; a value read from
// the wrong place, another address, or a field that holds no address is not.
func TestFormRecordVouched(t *testing.T) {
	against := func(k parsers.SignalKind) parsers.Provenance {
		return parsers.Provenance{Document: "modulo.pdf", How: parsers.HowTable,
			Evidence: parsers.Evidence{Against: []parsers.Signal{{Kind: k, Note: "dubbio"}}}}
	}
	f := parsers.Form{Type: parsers.FormInformativaGenerale, Source: "modulo.pdf",
		Fields: map[string]any{
			parsers.KeyEntePec:            "Protocollo@PEC.comune.mirano.ve.it",
			parsers.KeyReferenteEmail:     "protocollo@pec.comune.mirano.ve.it",
			parsers.KeySoftwareHouseEmail: "help@brenta.it",
			parsers.KeyEnteDenominazione:  "protocollo@pec.comune.mirano.ve.it",
		},
		Provenance: map[string]parsers.Provenance{
			parsers.KeyEntePec:            against(parsers.SigHidden),     // what it holds: settled by the sender
			parsers.KeyReferenteEmail:     against(parsers.SigOtherField), // where it stood: not
			parsers.KeySoftwareHouseEmail: against(parsers.SigHidden),     // another address
			parsers.KeyEnteDenominazione:  against(parsers.SigShape),      // no address field
		},
	}
	rec := formRecord("<m1@x>", f, time.Time{}, verified{"protocollo@pec.comune.mirano.ve.it", ticketing.VouchPEC})
	want := map[string]string{parsers.KeyEntePec: ticketing.VouchPEC}
	for k := range f.Fields {
		if got := rec.Provenance[k].Vouched; got != want[k] {
			t.Errorf("%s vouched %q, want %q", k, got, want[k])
		}
	}
	cf := ticketing.Merge([]ticketing.Form{rec}, ticketing.MergeOptions{})
	got := cf.Forms[parsers.FormInformativaGenerale].Provenance
	if !got[parsers.KeyEntePec].Sure || got[parsers.KeyReferenteEmail].Sure || got[parsers.KeySoftwareHouseEmail].Sure {
		t.Errorf("case file: %+v", got)
	}
	if rec := formRecord("<m1@x>", f, time.Time{}, verified{}); rec.Provenance[parsers.KeyEntePec].Vouched != "" {
		t.Errorf("a sender nothing verified vouches for %+v", rec.Provenance[parsers.KeyEntePec])
	}
}

// TestVerifiedSender: a From is verified only when our own server's Authentication-Results
// pass for its domain; a PEC's certified sender is verified by the provider's signature.
func TestVerifiedSender(t *testing.T) {
	in := &Intake{cfg: &Config{}}
	in.cfg.Staff.TrustedAuthservID = "mx.regione.veneto.it"
	env := func(from string, auth ...string) message {
		return message{env: &parsers.Envelope{From: from, AuthResults: auth}}
	}
	cases := []struct {
		name string
		m    message
		want verified
	}{
		{"DMARC pass", env("G.Scattolin@comune.mirano.ve.it", "mx.regione.veneto.it; dmarc=pass header.from=comune.mirano.ve.it"), verified{"g.scattolin@comune.mirano.ve.it", ticketing.VouchAuth}},
		{"another server's pass", env("g.scattolin@comune.mirano.ve.it", "mx.altro.it; dmarc=pass header.from=comune.mirano.ve.it"), verified{}},
		{"no header", env("g.scattolin@comune.mirano.ve.it"), verified{}},
		{"DMARC fail", env("g.scattolin@comune.mirano.ve.it", "mx.regione.veneto.it; dmarc=fail header.from=comune.mirano.ve.it"), verified{}},
	}
	for _, c := range cases {
		if got := in.verifiedSender(c.m); got != c.want {
			t.Errorf("%s: %+v, want %+v", c.name, got, c.want)
		}
	}
}
