package ops

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"mailbot/mailbot"
)

func desc(name, help string, labels ...string) *prometheus.Desc {
	return prometheus.NewDesc("mailbot_"+name, help, labels, nil)
}

var (
	descFetched     = desc("messages_fetched_total", "Messages fetched from a watched mailbox since serve started.", "mailbox")
	descRecorded    = desc("messages_recorded_total", "Message copies recorded from a watched mailbox (tickets, follow-ups, quarantined).", "mailbox")
	descQuarantined = desc("messages_quarantined_total", "Message copies from a watched mailbox held for a person.", "mailbox")
	descSent        = desc("replies_sent_total", "Mail accepted by the SMTP server, by kind.", "kind")
	descFailed      = desc("replies_failed_total", "Mail the SMTP server refused for good, by kind.", "kind")
	descQueued      = desc("outbox_queued", "Mail waiting in the outbox.")
	descHeld        = desc("outbox_held", "Automatic replies an hourly cap held back, waiting for a person to send or drop them.")
	descOldest      = desc("outbox_oldest_queued_age_seconds", "Age of the oldest mail waiting in the outbox (0 when empty).")
	descUp          = desc("watcher_up", "1 when the mailbox's watcher is connected.", "mailbox")
	descState       = desc("watcher_state", "The watcher's state (1 for the current one).", "mailbox", "state")
	descReconnects  = desc("watcher_reconnects_total", "Sessions of a watcher ended by a failure.", "mailbox")
	descLastSuccess = desc("watcher_last_success_timestamp_seconds", "Last time the mailbox's server answered a command.", "mailbox")
	descBacklog     = desc("watcher_backlog", "Messages waiting in the mailbox, as last listed.", "mailbox")
	descReadTime    = desc("document_read_seconds", "Time reading a message's body and attachments.")
	descReadFail    = desc("document_failures_total", "Attachments left for a person, by reason.", "reason")
	descWorkers     = desc("read_workers_started_total", "Document-reading worker processes started.")
	descWorkerEnds  = desc("read_workers_ended_total", "Reading workers that ended on a document: died (a crash or Go fatal error, out of memory) or killed (past its CPU time or deadline).", "how")
	descBlobSyncs   = desc("blob_syncs_total", "Fetched batches of messages made durable before they were recorded: at_once (one sync of the file system) or file_by_file (an fsync for each message and directory).", "how")
	descSchedule    = desc("schedule_sent_total", "Reminders, escalations, stalled notices and digests sent.", "kind")
	descCases       = desc("cases", "Cases per kind, state and whose turn it is.", "kind", "state", "turn")
	descFlagged     = desc("cases_waiting_for_person", "Open cases a person must look at, by why (checking: doubtful readings; untrusted: a sender whose identity did not hold; proposal: a value from mail such as an IBAN or caller IPs waiting for staff to confirm it; …).", "flag")
	descDBBytes     = desc("database_bytes", "Size of the SQLite database.")
	descUpScrape    = desc("stats_up", "1 when the database could be read for this scrape.")
)

// collector reads the figures at each scrape: from the database for what it records, from the
// daemon's Health for what only the running process knows.
type collector struct{ s *Server }

func (c collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descFetched, descRecorded, descQuarantined, descSent, descFailed, descQueued, descHeld,
		descOldest, descUp, descState, descReconnects, descLastSuccess, descBacklog, descReadTime, descReadFail, descWorkers, descWorkerEnds,
		descBlobSyncs, descSchedule, descCases, descFlagged, descDBBytes, descUpScrape} {
		ch <- d
	}
}

func (c collector) Collect(ch chan<- prometheus.Metric) {
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	counter := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v, labels...)
	}
	h := c.s.health.Snapshot()
	for _, m := range h.Mailboxes {
		counter(descFetched, float64(m.Fetched), m.Name)
		counter(descReconnects, float64(m.Reconnects), m.Name)
		gauge(descBacklog, float64(m.Backlog), m.Name)
		up := 0.0
		if m.State == mailbot.WatcherConnected {
			up = 1
		}
		gauge(descUp, up, m.Name)
		for _, st := range []string{mailbot.WatcherConnecting, mailbot.WatcherConnected, mailbot.WatcherReconnecting} {
			v := 0.0
			if st == m.State {
				v = 1
			}
			gauge(descState, v, m.Name, st)
		}
		if !m.LastSuccess.IsZero() {
			gauge(descLastSuccess, float64(m.LastSuccess.UnixMilli())/1000, m.Name)
		}
	}
	buckets := map[float64]uint64{}
	for i, b := range mailbot.DocumentBuckets {
		buckets[b] = uint64(h.Documents.Buckets[i])
	}
	ch <- prometheus.MustNewConstHistogram(descReadTime, uint64(h.Documents.Messages), h.Documents.Seconds, buckets)
	for reason, n := range h.Documents.Failures {
		counter(descReadFail, float64(n), reason)
	}
	counter(descWorkers, float64(h.Readers.Started))
	counter(descWorkerEnds, float64(h.Readers.Died), "died")
	counter(descWorkerEnds, float64(h.Readers.Killed), "killed")
	atOnce, byFile := c.s.store.BlobSyncs()
	counter(descBlobSyncs, float64(atOnce), "at_once")
	counter(descBlobSyncs, float64(byFile), "file_by_file")

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	st, err := c.s.store.Stats(ctx)
	if err != nil {
		c.s.log.Warn("metrics: read the database", "err", err)
		gauge(descUpScrape, 0)
		return
	}
	gauge(descUpScrape, 1)
	for _, m := range st.Mailboxes {
		counter(descRecorded, float64(m.Recorded), m.Name)
		counter(descQuarantined, float64(m.Quarantined), m.Name)
	}
	queued, held := 0, 0
	for _, o := range st.Outbox {
		switch o.State {
		case "sent":
			counter(descSent, float64(o.Count), o.Kind)
		case "failed":
			counter(descFailed, float64(o.Count), o.Kind)
		case "queued":
			queued += o.Count
		case "held":
			held += o.Count
		}
	}
	gauge(descQueued, float64(queued))
	gauge(descHeld, float64(held))
	age := 0.0
	if !st.OldestQueued.IsZero() {
		age = c.s.now().Sub(st.OldestQueued).Seconds()
	}
	gauge(descOldest, age)
	for _, sc := range st.Schedule {
		counter(descSchedule, float64(sc.Count), sc.Kind)
	}
	for _, cs := range st.Cases {
		gauge(descCases, float64(cs.Count), cs.Kind, cs.State, cs.WaitingOn)
	}
	for _, f := range st.Flagged {
		gauge(descFlagged, float64(f.Count), string(f.Kind))
	}
	gauge(descDBBytes, float64(st.DatabaseBytes))
}
