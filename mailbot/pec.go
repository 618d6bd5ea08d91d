package mailbot

import (
	"context"
	"crypto/x509"
	"fmt"
	"io"
	"slices"
	"time"

	"mailbot/mailaddr"
	"mailbot/parsers"
	"mailbot/ticketing"
)

// ImportPECProviders replaces the index of PEC providers (the LDIF AgID publishes, see
// parsers.ParseProviderIndex) with the one in data; it returns how many providers and
// certificates it holds.
func ImportPECProviders(ctx context.Context, store *ticketing.Store, data []byte, now time.Time) (providers, certs int, err error) {
	list, err := parsers.ParseProviderIndex(data)
	if err != nil {
		return 0, 0, err
	}
	var rows []ticketing.PECCert
	for _, p := range list {
		for _, der := range p.Certs {
			rows = append(rows, ticketing.PECCert{Provider: p.Name, DER: der})
		}
	}
	return len(list), len(rows), store.ImportPECProviders(ctx, rows, now)
}

// verifyPEC checks the provider's signature of a PEC envelope against the imported index of
// PEC providers and records the outcome in an.PEC.Verified. An envelope that does not verify
// (no index imported, no signature, a signature of someone else or of weak algorithms, content
// altered after signing) is ordinary mail from its outer From: nothing it certifies is
// believed. Nor is a genuine envelope that the provider certifies was sent to someone else: a
// PEC the ente sent to a citizen, resent to us by that citizen, does not speak to mailbot.
func (in *Intake) verifyPEC(m Incoming, an *parsers.Analysis) {
	if an == nil || an.PEC == nil || an.Receipt != "" || an.PEC.Tipo != "posta-certificata" {
		return
	}
	own := map[string]bool{}
	for a := range in.cfg.ownAddresses() {
		own[mailaddr.Norm(a).String()] = true
	}
	if !slices.ContainsFunc(an.PEC.Destinatari, func(a string) bool { return own[a] }) {
		in.log.Warn("PEC envelope not addressed to us: treated as ordinary mail from its outer From", "blob", m.Blob)
		return
	}
	if err := in.checkPECSignature(m); err != nil {
		in.log.Warn("PEC envelope not verified: treated as ordinary mail from its outer From", "blob", m.Blob, "err", err)
		return
	}
	an.PEC.Verified = true
}

func (in *Intake) checkPECSignature(m Incoming) error {
	certs, err := in.store.PECCertificates(context.Background())
	if err != nil {
		return err
	}
	if len(certs) == 0 {
		return fmt.Errorf("no index of PEC providers imported (mailbot pec import)")
	}
	roots := x509.NewCertPool()
	for _, der := range certs {
		c, err := x509.ParseCertificate(der)
		if err != nil {
			return fmt.Errorf("index of PEC providers: %w", err)
		}
		roots.AddCert(c)
	}
	f, err := in.store.OpenBlob(m.Blob)
	if err != nil {
		return err
	}
	defer f.Close()
	raw, err := io.ReadAll(io.LimitReader(f, in.limits.MaxMessageBytes))
	if err != nil {
		return err
	}
	_, err = parsers.VerifyPECEnvelope(raw, roots, in.now())
	return err
}
