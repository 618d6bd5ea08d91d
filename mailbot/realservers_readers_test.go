package mailbot

import (
	"context"
	"fmt"
	"testing"
	"time"

	"mailbot/internal/crashreader"
	"mailbot/internal/mailtest"
)

// TestRealServersHostileDocuments is TestHostileDocumentsInProcess against the real Dovecot and
// Postfix, in CI's hostile run: a request whose PDF kills its reader with Go's stack overflow,
// a message of eight spreadsheets that each take their whole deadline, then an ordinary request.
// The daemon lives, both hostile messages are answered with their documents listed for a person,
// and the ordinary request is answered.
func TestRealServersHostileDocuments(t *testing.T) {
	const (
		crasher = "referente@comune.venezia.it"
		slow    = "referente@comune.padova.it"
	)
	t.Setenv(crashreader.Env, "1")
	d, imapAddr, smtpAddr, _ := realDaemon(t, []string{crasher, slow}, nil, func(c *Config) {
		c.Limits.MessageReadCPU.Duration = hostileBudget
	})
	ctx := context.Background()
	hostileRun{t: t, d: d, tag: fmt.Sprint(time.Now().UnixNano()),
		send: func(from, raw string) { mailtest.Send(t, smtpAddr, from, []string{CallCenter}, []byte(raw)) },
		replies: func(rcpt string, n int) []string {
			var out []string
			for _, raw := range mailtest.WaitMessages(t, imapAddr, rcpt, n, 30*time.Second) {
				out = append(out, textOf(t, raw))
			}
			return out
		},
		settle: func(n int) {
			if err := d.Store.WaitQuiet(ctx, map[string]int{"callcenter": n}, 60*time.Second); err != nil {
				t.Fatal(err)
			}
		},
	}.run(crasher, slow)
}
