package ops

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"mailbot/internal/bombs"
	"mailbot/internal/crashreader"
	"mailbot/internal/demo"
	"mailbot/internal/localmail"
	"mailbot/internal/wait"
	"mailbot/mailbot"
)

// TestEndpoints runs a daemon against an in-process mail system, lets it answer a request and a
// PDF that kills its reading worker, and reads what an operator would: health, readiness,
// metrics and status. Then the IMAP server goes away: once the watcher's last success is older than StaleAfter, it is not ready.
func TestEndpoints(t *testing.T) {
	t.Setenv(crashreader.Env, "1") // the second request's PDF kills its reading worker
	l, err := localmail.Start(demo.CallCenter, demo.Cluster, "referente@comune.venezia.it")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	cfg := demo.Config(l, t.TempDir())
	var offset atomic.Int64 // the fake clock's advance
	now := func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	d, err := mailbot.NewDaemon(cfg, log, now)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { d.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()

	raw, err := os.ReadFile("../internal/demo/testdata/demo/01-richiesta-venezia.eml")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Deliver(l, raw); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(New(d.Store, d.Health, []string{"callcenter", "cluster"}, log, now).Handler())
	defer srv.Close()
	get := func(path string) (int, string) {
		t.Helper()
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	wait.For(t, "the reply", func() bool { return len(l.DeliveredTo("referente@comune.venezia.it")) > 0 })
	crash := bombs.Message("Referente <referente@comune.venezia.it>", demo.CallCenter, "<crash@comune.venezia.it>",
		"Modulo", bombs.Attachment{Name: "modulo.pdf", ContentType: "application/pdf", Data: bombs.SelfRefPDF()})
	if _, err := demo.Deliver(l, crash); err != nil {
		t.Fatal(err)
	}
	wait.For(t, "the reply to the PDF that kills its reader", func() bool { return len(l.DeliveredTo("referente@comune.venezia.it")) > 1 })

	if code, body := get("/healthz"); code != 200 || body != "ok\n" {
		t.Errorf("/healthz: %d %q", code, body)
	}
	wait.For(t, "readiness", func() bool { code, _ := get("/readyz"); return code == 200 })
	var metrics string
	wait.For(t, "metrics of the reply", func() bool {
		_, metrics = get("/metrics")
		return strings.Contains(metrics, `mailbot_replies_sent_total{kind="ack"} 2`)
	})
	for _, want := range []string{
		`mailbot_messages_recorded_total{mailbox="callcenter"} 2`,
		`mailbot_messages_recorded_total{mailbox="cluster"} 1`,
		`mailbot_messages_fetched_total{mailbox="callcenter"} 2`,
		`mailbot_watcher_up{mailbox="callcenter"} 1`,
		`mailbot_outbox_queued 0`,
		`mailbot_outbox_held 0`,
		`mailbot_cases{kind="integration",state="awaiting_documents",turn="ente"} 2`,
		`mailbot_document_read_seconds_count 3`,
		`mailbot_read_workers_started_total 1`, // for the PDF: the first request's form is in its body
		`mailbot_document_failures_total{reason="crash"} 1`,
		`mailbot_read_workers_ended_total{how="died"} 1`,
		`mailbot_read_workers_ended_total{how="killed"} 0`,
		`mailbot_blob_syncs_total{how="at_once"} 0`, // batches of one message: each synced alone
		`mailbot_blob_syncs_total{how="file_by_file"} 3`,
		`mailbot_stats_up 1`,
		`go_goroutines`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if code, body := get("/status"); code != 200 || !strings.Contains(body, `"ready":true`) || !strings.Contains(body, `"name":"callcenter"`) {
		t.Errorf("/status: %d %s", code, body)
	}

	// The IMAP server goes away; ten minutes later the watcher is down.
	l.Close()
	wait.For(t, "the watcher to notice", func() bool {
		_, m := get("/metrics")
		return strings.Contains(m, `mailbot_watcher_up{mailbox="callcenter"} 0`)
	})
	offset.Store(int64(StaleAfter + time.Minute))
	code, body := get("/readyz")
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "mailbox callcenter: not connected") {
		t.Errorf("/readyz with the mail server gone: %d %s", code, body)
	}
}
