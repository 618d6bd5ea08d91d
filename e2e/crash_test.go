package e2e

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mailbot/internal/mailtest"
	"mailbot/internal/wait"
	"mailbot/ticketing"
)

// request is one message of the test's backlog and what mailbot must make of it.
type request struct {
	id      string // Message-ID, without brackets
	replyTo string // where mailbot's answer must go (Reply-To, else From)
	cc      bool   // the cluster is in Cc: the message is in both watched mailboxes
	raw     []byte // as delivered to the call center (the cluster's copy differs in its trace)
}

// makeRequest builds the i-th request of a run. Nearly every referent has an address of its
// own (referente+N@, delivered to referente@'s INBOX), so a duplicate reply cannot hide among
// the answers to someone else; a few write from the plain shared addresses, as colleagues of
// one office do, and some carry a Reply-To to an outside address, which mailbot never answers
// (Reply-To is not identity: the answer goes to the From, and Postfix would refuse the outside
// domain, so an answer sent there fails the test).
func makeRequest(run string, i int) request {
	r := request{id: fmt.Sprintf("crash-%s-%d@comune.example.it", run, i), cc: i%7 == 0}
	domain := "comune.venezia.it"
	if i%2 == 1 {
		domain = "comune.padova.it"
	}
	r.replyTo = fmt.Sprintf("referente+%d@%s", i, domain)
	from, replyTo := r.replyTo, ""
	switch {
	case i%200 == 7:
		r.replyTo, from = padova, padova
	case i%250 == 11:
		r.replyTo, from = venezia, venezia
	case i%5 == 3:
		replyTo = fmt.Sprintf("protocollo.%d@pec.example.it", i)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "From: Referente %d <%s>\r\n", i, from)
	if replyTo != "" {
		fmt.Fprintf(&b, "Reply-To: <%s>\r\n", replyTo)
	}
	fmt.Fprintf(&b, "To: %s\r\n", callCenter)
	if r.cc {
		fmt.Fprintf(&b, "Cc: %s\r\n", cluster)
	}
	fmt.Fprintf(&b, "Subject: Richiesta integrazione MyPay n. %d\r\nDate: %s\r\nMessage-ID: <%s>\r\n"+
		"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"+
		"Buongiorno, chiediamo l'attivazione di MyPay per il nostro ente (richiesta %d).\r\n",
		i, time.Now().Format(time.RFC1123Z), r.id, i)
	r.raw = []byte(b.String())
	return r
}

// withTrace prepends what a delivery to one mailbox adds, so the two copies of a message in Cc
// differ in their bytes as they do on a real server.
func withTrace(rcpt string, raw []byte) []byte {
	return append([]byte("Delivered-To: "+rcpt+"\r\nReceived: from mx.example.it by mailbot-ci; "+
		time.Now().Format(time.RFC1123Z)+"\r\n"), raw...)
}

// TestCrashBacklog kills `mailbot serve` with SIGKILL at random moments while it ingests a
// backlog of 1,000 messages from the real Dovecot and answers them through the real Postfix,
// restarting it each time. New requests also arrive by SMTP meanwhile. At the end every message
// is in exactly one ticket, no ticket is duplicated, every referent's mailbox holds exactly one
// answer to each request, and the outbox holds one answer per ticket, sent.
//
// SMTP cannot be made exactly-once: a kill after the server has accepted a mail but before
// mailbot recorded it leaves the mail "in doubt" (claimed, no outcome). mailbot sends it again
// when the claim's lease runs out, with the same bytes and Message-ID. The test notes the mails
// in doubt after each kill and counts their second copies apart: they are logged, and only they
// may arrive twice, as identical copies.
func TestCrashBacklog(t *testing.T) {
	imapAddr, smtpAddr := mailtest.Real(t)
	n, kills := 1000, 24
	if testing.Short() {
		n, kills = 200, 6
	}
	rng := newRand(seed(t))
	for _, u := range []string{callCenter, cluster, venezia, padova} {
		mailtest.Reset(t, imapAddr, u)
	}

	run := fmt.Sprintf("%x", time.Now().UnixNano())
	var reqs []request
	var ccRaws, ccCopies [][]byte
	for i := range n {
		r := makeRequest(run, i)
		reqs = append(reqs, r)
		ccRaws = append(ccRaws, withTrace(callCenter, r.raw))
		if r.cc {
			ccCopies = append(ccCopies, withTrace(cluster, r.raw))
		}
	}
	start := time.Now()
	appendMessages(t, imapAddr, callCenter, ccRaws)
	appendMessages(t, imapAddr, cluster, ccCopies)
	t.Logf("backlog: %d messages in %s, %d also in %s, appended in %s", n, callCenter, len(ccCopies), cluster, time.Since(start).Round(time.Millisecond))

	bin := mailbotBinary(t)
	dataDir := t.TempDir()
	config := writeConfig(t, dataDir, smtpAddr, imapAddr)
	logPath := filepath.Join(dataDir, "serve.log")
	store := openStore(t, dataDir)
	progress := func() (callcenter, clusterCopies, sent, queued int) {
		callcenter, _ = store.CopiesIn(bg, "callcenter")
		clusterCopies, _ = store.CopiesIn(bg, "cluster")
		out, _ := store.Outbox(bg)
		for _, o := range out {
			if o.State == "sent" {
				sent++
			} else if o.State == "queued" {
				queued++
			}
		}
		return
	}

	// Kill at a random moment of the whole job: ingesting (fetch, parse, record) and sending.
	// Uninterrupted, the job takes ~8 s on 2 cores (~600 messages/s recorded, ~170 replies/s
	// sent); lives of 0-700 ms, ~150 ms of which go to starting, spread the kills over all of
	// it, from login, first start and the very first transaction to the last replies.
	const maxLife = 700 * time.Millisecond
	wantCC, wantCluster := n, len(ccCopies)
	smtpN := 0
	inDoubt := map[string]bool{}
	busyKills := 0    // kills that found work left to do
	workingKills := 0 // kills of a daemon that had recorded or sent something in that life
	for k := range kills {
		before := func() [2]int { cc, cl, sent, _ := progress(); return [2]int{cc + cl, sent} }()
		d := startDaemon(t, bin, config, logPath)
		if rng.IntN(2) == 0 {
			// A new request through Postfix, landing while mailbot runs or is down.
			r := makeRequest(run, n+smtpN)
			rcpts := []string{callCenter}
			if r.cc {
				rcpts = append(rcpts, cluster)
				wantCluster++
			}
			mailtest.Send(t, smtpAddr, r.replyTo, rcpts, r.raw)
			reqs = append(reqs, r)
			wantCC++
			smtpN++
		}
		if k%2 == 1 {
			// Every other life is cut once it has done something: a start alone (login,
			// migrations, a worker's first document) can outlast maxLife on a loaded machine,
			// and kills that never meet a transaction prove nothing.
			wait.State(t, 30*time.Second, func() (bool, string) {
				cc, cl, sent, queued := progress()
				return [2]int{cc + cl, sent} != before || (cc >= wantCC && cl >= wantCluster && queued == 0), "a first record or reply in this life"
			})
		}
		delay := time.Duration(rng.Int64N(int64(maxLife)))
		time.Sleep(delay) // the random moment itself, not a synchronisation
		killed := time.Now()
		d.kill()
		doubt := claimedSince(t, dataDir, killed)
		for _, id := range doubt {
			inDoubt[id] = true
		}
		cc, cl, sent, queued := progress()
		if cc < wantCC || cl < wantCluster || queued > 0 {
			busyKills++
		}
		if [2]int{cc + cl, sent} != before {
			workingKills++
		}
		t.Logf("kill %2d after %3dms: copies %d/%d + %d/%d, replies sent %d, queued %d, claims in doubt %d",
			k+1, delay.Milliseconds(), cc, wantCC, cl, wantCluster, sent, queued, len(doubt))
	}

	// The last start runs to the end: everything recorded and sent, including the mail in
	// doubt once its lease runs out (a minute).
	d := startDaemon(t, bin, config, logPath)
	wait.State(t, 3*time.Minute, func() (bool, string) {
		cc, cl, sent, queued := progress()
		state := fmt.Sprintf("copies %d/%d + %d/%d, replies sent %d, queued %d", cc, wantCC, cl, wantCluster, sent, queued)
		if cc < wantCC || cl < wantCluster {
			return false, state
		}
		_, pending, err := store.NextDue(bg)
		return err == nil && !pending, state
	})
	d.stop()
	t.Logf("%d kills (%d with work left, %d of a working daemon), %d requests by SMTP, %d mails in doubt after a kill; total %s",
		kills, busyKills, workingKills, smtpN, len(inDoubt), time.Since(start).Round(time.Second))
	if busyKills < kills/2 {
		t.Errorf("only %d of %d kills found work left: the job is faster than the kills, shorten maxLife", busyKills, kills)
	}
	if workingKills < kills/2 {
		t.Errorf("only %d of %d kills cut a daemon that had recorded or sent anything: the kills tested starting, not working", workingKills, kills)
	}

	checkCrashOutcome(t, bin, config, store, imapAddr, reqs, inDoubt)
	if t.Failed() {
		if b, err := os.ReadFile(logPath); err == nil {
			t.Logf("daemon log (last 4 KB):\n%s", tail(b, 4096))
		}
	}
}

// claimedSince lists the queued mails claimed for sending (their lease running out after since)
// while no daemon runs: each was being transmitted by the process just killed, and may or may
// not have reached the SMTP server.
func claimedSince(t *testing.T, dataDir string, since time.Time) []string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dataDir, "mailbot.db")+"?mode=ro&_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query("SELECT message_id FROM outbox WHERE state = 'queued' AND next_at > ?", since.UTC().Format(time.RFC3339Nano))
	if err != nil {
		t.Fatalf("outbox claims: %v", err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return ids
}

// checkCrashOutcome compares mailbot's tickets and the referents' mailboxes with the requests.
func checkCrashOutcome(t *testing.T, bin, config string, store *ticketing.Store, imapAddr string, reqs []request, inDoubt map[string]bool) {
	t.Helper()
	byID := map[string]request{}
	for _, r := range reqs {
		byID[r.id] = r
	}

	// Tickets, as the operator sees them: one per request.
	tickets := ticketsList(t, bin, config)
	if len(tickets) != len(reqs) {
		t.Errorf("tickets list: %d tickets, want %d (one per request)", len(tickets), len(reqs))
	}
	ticketOf := map[string]string{} // request Message-ID -> ticket
	ackOf := map[string]string{}    // request Message-ID -> Message-ID of mailbot's answer
	for _, tk := range tickets {
		msgs, err := store.Messages(bg, tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		var in, outs []string
		for _, m := range msgs {
			if m.Direction == "out" {
				outs = append(outs, m.MessageID)
				continue
			}
			in = append(in, m.MessageID)
			r, ok := byID[m.MessageID]
			if !ok {
				t.Errorf("%s holds a message nobody sent: %s", tk.ID, m.MessageID)
				continue
			}
			if prev, dup := ticketOf[m.MessageID]; dup {
				t.Errorf("request %s is in %s and %s", m.MessageID, prev, tk.ID)
			}
			ticketOf[m.MessageID] = tk.ID
			if want := 1 + btoi(r.cc); len(m.Mailboxes) != want {
				t.Errorf("%s: request %s recorded in %v, want %d mailbox(es)", tk.ID, m.MessageID, m.Mailboxes, want)
			}
		}
		if len(in) != 1 || len(outs) != 1 {
			t.Errorf("%s: %d messages in, %d answers, want 1 and 1", tk.ID, len(in), len(outs))
		}
		if len(in) == 1 && len(outs) == 1 {
			ackOf[in[0]] = outs[0]
		}
	}
	for _, r := range reqs {
		if ticketOf[r.id] == "" {
			t.Errorf("request %s (to %s) is in no ticket", r.id, r.replyTo)
		}
	}

	// The outbox: one answer per ticket, every one sent.
	out, err := store.Outbox(bg)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != len(reqs) {
		t.Errorf("outbox: %d mails, want %d", len(out), len(reqs))
	}
	for _, o := range out {
		if o.State != "sent" {
			t.Errorf("outbox: %s to %v is %s (%s)", o.MessageID, o.Rcpts, o.State, o.LastError)
		}
	}

	// The referents' own mailboxes: each request answered exactly once, by the mail recorded
	// as its answer, with its ticket in the subject. Mail that mailbot did not send this run
	// (left in Postfix's queue by an earlier test) is no concern here.
	ours := map[string]bool{}
	for _, o := range out {
		ours[o.MessageID] = true
	}
	// Postfix may still be delivering the last ones: wait until each answer is there.
	var copies map[string][]received // answer Message-ID -> copies received
	foreign := 0
	wait.State(t, time.Minute, func() (bool, string) {
		copies, foreign = map[string][]received{}, 0
		for _, box := range []string{venezia, padova} {
			for _, m := range readMailbox(t, imapAddr, box) {
				if !ours[m.MessageID] {
					foreign++
					continue
				}
				copies[m.MessageID] = append(copies[m.MessageID], m)
			}
		}
		missing := 0
		for _, ack := range ackOf {
			if len(copies[ack]) == 0 {
				missing++
			}
		}
		return missing == 0, fmt.Sprintf("%d answers not in the referents' mailboxes", missing)
	})
	resent, redelivered := 0, 0
	for _, r := range reqs {
		ack := ackOf[r.id]
		if ack == "" {
			continue // reported above
		}
		got := copies[ack]
		submissions := map[string]bool{}
		for _, m := range got {
			if m.QueueID == "" {
				t.Errorf("%s: a copy of %s without Postfix's queue id", r.replyTo, ack)
			}
			submissions[m.QueueID] = true
		}
		switch {
		case len(got) == 0:
			t.Errorf("%s never received the answer %s to %s", r.replyTo, ack, r.id)
			continue
		case len(submissions) > 1 && inDoubt[ack]:
			resent++ // the same mail again after a kill left it in doubt: see TestCrashBacklog
		case len(submissions) > 1:
			t.Errorf("%s received the answer %s to %s %d times, submitted %d times", r.replyTo, ack, r.id, len(got), len(submissions))
		case len(got) > 1:
			redelivered++ // one submission delivered twice by the mail system
		}
		m := got[0]
		if m.To != r.replyTo || m.InReplyTo != r.id || !strings.Contains(m.Subject, "["+ticketOf[r.id]+"]") {
			t.Errorf("answer to %s: To %s, In-Reply-To %s, Subject %q; want To %s, In-Reply-To %s, ticket %s",
				r.id, m.To, m.InReplyTo, m.Subject, r.replyTo, r.id, ticketOf[r.id])
		}
		delete(copies, ack)
	}
	for id, got := range copies {
		t.Errorf("%s received %s (%q), which answers no request", got[0].To, id, got[0].Subject)
	}
	t.Logf("%d answers checked in the referents' mailboxes: %d of the %d mails in doubt after a kill had reached the server and were sent again (same Message-ID); %d delivered twice by Postfix/Dovecot from one submission; %d messages not from this run ignored",
		len(reqs), resent, len(inDoubt), redelivered, foreign)
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}
