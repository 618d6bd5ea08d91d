package parsers

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"strings"
	"testing"
	"time"

	"github.com/smallstep/pkcs7"

	"mailbot/internal/pectest"
)

// TestVerifyPECEnvelopePolicy: a provider's signature counts only with sound algorithms and a
// certificate of the index valid when checked; each refusal says why, for the log.
func TestVerifyPECEnvelopePolicy(t *testing.T) {
	// The library writes the real time as the signing time.
	now := time.Now()
	p256 := func() (*ecdsa.PrivateKey, error) { return ecdsa.GenerateKey(elliptic.P256(), rand.Reader) }
	rsaKey := func(bits int) *rsa.PrivateKey {
		k, err := rsa.GenerateKey(rand.Reader, bits)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	ec, _ := p256()
	cases := []struct {
		name    string
		key     crypto.Signer
		from    time.Time
		to      time.Time
		digest  asn1.ObjectIdentifier
		wantErr string // "" when it verifies
	}{
		{"ECDSA P-256, SHA-256", ec, now.AddDate(-1, 0, 0), now.AddDate(1, 0, 0), nil, ""},
		{"RSA 2048, SHA-512", rsaKey(2048), now.AddDate(-1, 0, 0), now.AddDate(1, 0, 0), pkcs7.OIDDigestAlgorithmSHA512, ""},
		{"ECDSA P-256, SHA-1", ec, now.AddDate(-1, 0, 0), now.AddDate(1, 0, 0), pkcs7.OIDDigestAlgorithmSHA1, "digest algorithm"},
		{"RSA 2048, SHA-1", rsaKey(2048), now.AddDate(-1, 0, 0), now.AddDate(1, 0, 0), pkcs7.OIDDigestAlgorithmSHA1, "digest algorithm"},
		{"RSA 1024", rsaKey(1024), now.AddDate(-1, 0, 0), now.AddDate(1, 0, 0), nil, "RSA key of 1024 bits"},
		{"expired when signed", ec, now.AddDate(-2, 0, 0), now.AddDate(0, 0, -1), nil, "outside of certificate validity"},
		{"not yet valid when signed", ec, now.AddDate(0, 0, 1), now.AddDate(2, 0, 0), nil, "outside of certificate validity"},
		{"expired when read", ec, now.AddDate(-2, 0, 0), now.Add(time.Hour), nil, "expired"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := pectest.NewProviderWith("Gestore", c.key, c.from, c.to)
			if err != nil {
				t.Fatal(err)
			}
			p.Digest = c.digest
			raw, err := p.Envelope("protocollo@pec.comune.esempio.it", "call.center@example.it", "x", "From: protocollo@pec.comune.esempio.it\r\n\r\nciao\r\n", nil)
			if err != nil {
				t.Fatal(err)
			}
			roots := x509.NewCertPool()
			roots.AddCert(p.Cert)
			_, err = VerifyPECEnvelope([]byte(raw), roots, now.Add(2*time.Hour))
			switch {
			case c.wantErr == "" && err != nil:
				t.Errorf("refused: %v", err)
			case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)):
				t.Errorf("err %v, want one saying %q", err, c.wantErr)
			}
		})
	}
}
