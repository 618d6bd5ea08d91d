package ticketing

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"
)

// PECCert is one signing certificate of a PEC provider, as the index of providers lists it.
type PECCert struct {
	Provider string
	DER      []byte
}

// ImportPECProviders replaces the index of PEC providers with certs, in one transaction.
func (s *Store) ImportPECProviders(ctx context.Context, certs []PECCert, now time.Time) error {
	return s.Update(ctx, func(t *Tx) error {
		if _, err := t.exec("pec-providers-clear"); err != nil {
			return err
		}
		for _, c := range certs {
			sum := sha256.Sum256(c.DER)
			if _, err := t.exec("pec-provider-insert", hex.EncodeToString(sum[:]), c.Provider, c.DER, ts(now)); err != nil {
				return err
			}
		}
		return nil
	})
}

// PECCertificates returns the DER certificates of the index of PEC providers; none when it was
// never imported.
func (s *Store) PECCertificates(ctx context.Context) ([][]byte, error) {
	rows, err := s.r.QueryContext(ctx, s.query("pec-provider-certs"))
	if err != nil {
		return nil, fmt.Errorf("pec providers: %w", err)
	}
	defer rows.Close()
	var out [][]byte
	for rows.Next() {
		var der []byte
		if err := rows.Scan(&der); err != nil {
			return nil, err
		}
		out = append(out, der)
	}
	return out, rows.Err()
}
