package mailbot

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"mailbot/internal/mailtest"
	"mailbot/internal/wait"
	"mailbot/parsers"
	"mailbot/ticketing"
)

// TestRealServersStaffNoticesCapped is issue 19's finding 7 through real Postfix and Dovecot:
// fifteen out-of-office replies threaded on one case (no automatic-mail header) made fifteen
// notices to staff. Now staff's mailbox gets at most maxStaffNotices about the case within
// the hour, and the first notice of the next hour says how many were held back. The replies
// arrive in a burst, as an attacker would send them, so that some are recorded together.
func TestRealServersStaffNoticesCapped(t *testing.T) {
	const referent = "referente@comune.venezia.it"
	// The caps count per clock hour: the daemon's clock starts five minutes into an hour, so
	// that the test's mail does not straddle two, and is moved on by an hour for the last one.
	var offset atomic.Int64
	offset.Store(int64(time.Now().Truncate(time.Hour).Add(65 * time.Minute).Sub(time.Now())))
	clock := func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
	d, imapAddr, smtpAddr, _ := realDaemonClock(t, []string{referent, staffOne}, nil, func(c *Config) {
		c.Staff = StaffConfig{Addresses: []string{staffOne}}
		c.Mailboxes = c.Mailboxes[:1]
	}, clock)
	ctx := context.Background()
	run := fmt.Sprint(time.Now().UnixNano())
	copies := 0
	send := func(subject, body string) {
		t.Helper()
		copies++
		raw := mimeMail("Referente <"+referent+">", CallCenter, subject, fmt.Sprintf("%s.%d@comune.venezia.it", run, copies), body, nil, nil)
		mailtest.Send(t, smtpAddr, referent, []string{CallCenter}, []byte(raw))
	}
	settle := func() {
		t.Helper()
		if err := d.Store.WaitQuiet(ctx, map[string]int{"callcenter": copies}, 30*time.Second); err != nil {
			t.Fatal(err)
		}
	}
	send("Richiesta integrazione MyPay", "Chiediamo l'integrazione con MyPay.")
	settle()
	tks, err := d.Store.Tickets(ctx)
	if err != nil || len(tks) != 1 {
		t.Fatalf("tickets %v, %v", tks, err)
	}
	id := tks[0].ID
	for range 15 {
		send("Re: Richiesta integrazione MyPay ["+id+"]", "Sono fuori ufficio fino a lunedì.")
	}
	settle()
	drained := func() bool { _, pending, _ := d.Store.NextDue(ctx); return !pending }
	wait.For(t, "the outbox drained", drained)
	notices := func() []string {
		var out []string
		for _, raw := range mailtest.WaitMessages(t, imapAddr, staffOne, 0, time.Second) {
			if env, _ := parsers.ReadEnvelope(bytes.NewReader(raw)); env != nil && strings.HasPrefix(env.Subject, "["+id+"]") {
				out = append(out, strings.Join(strings.Fields(textOf(t, raw)), " "))
			}
		}
		return out
	}
	// What the outbox sent to staff about the case is the count; the mailbox then shows each
	// (Postfix may still be delivering when the outbox has drained).
	sentToStaff := func() int {
		out, err := d.Store.Outbox(ctx)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, m := range out {
			if m.TicketID == id && m.State == "sent" && slices.Contains(m.Rcpts, staffOne) {
				n++
			}
		}
		return n
	}
	if n := sentToStaff(); n != maxStaffNotices {
		t.Fatalf("staff were sent %d notices about the case within the hour, want %d", n, maxStaffNotices)
	}
	wait.For(t, "the notices delivered", func() bool { return len(notices()) == maxStaffNotices })
	events, err := d.Store.Events(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	held := 0
	for _, e := range events {
		if e.Type == ticketing.EventLimited && strings.HasPrefix(e.Text, foldedNotice) {
			held++
		}
	}
	if held != 15-maxStaffNotices {
		t.Errorf("%d notices recorded as held back, want %d", held, 15-maxStaffNotices)
	}

	offset.Add(int64(time.Hour))
	send("Re: Richiesta integrazione MyPay ["+id+"]", "Sono rientrata, vi mando i moduli a breve.")
	settle()
	var all []string
	wait.For(t, "the next hour's notice", func() bool { all = notices(); return len(all) == maxStaffNotices+1 })
	if want := fmt.Sprintf("altri %d avvisi non sono stati inviati", held); !strings.Contains(all[len(all)-1], want) {
		t.Errorf("the next notice does not count those held back (%q):\n%s", want, all[len(all)-1])
	}
}
