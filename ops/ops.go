// Package ops is what operators watch while mailbot serve runs: /healthz (the process
// answers), /readyz (it can do its job), /metrics (Prometheus) and /status (JSON, read by
// `mailbot status`). It sits beside the daemon and only reads: the database through
// ticketing.Store.Stats, the daemon's runtime state through mailbot.Health.
package ops

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"mailbot/internal/httpserve"
	"mailbot/mailbot"
	"mailbot/ticketing"
)

// Thresholds of readiness.
const (
	// StaleAfter: a watcher not connected whose last success is older than this is down.
	StaleAfter = 10 * time.Minute
	// StuckAfter: mail queued longer than this means the outbox is stuck.
	StuckAfter = 30 * time.Minute
)

// Server answers the operators' endpoints.
type Server struct {
	store     *ticketing.Store
	health    *mailbot.Health
	mailboxes []string
	log       *slog.Logger
	now       func() time.Time
	reg       *prometheus.Registry
}

// New wires the endpoints for a daemon's store and health; mailboxes are the watched ones.
func New(store *ticketing.Store, health *mailbot.Health, mailboxes []string, log *slog.Logger, now func() time.Time) *Server {
	s := &Server{store: store, health: health, mailboxes: mailboxes, log: log, now: now, reg: prometheus.NewRegistry()}
	s.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}), collector{s})
	return s
}

// Status is what /status answers and `mailbot status` prints.
type Status struct {
	At      time.Time              `json:"at"`
	Ready   bool                   `json:"ready"`
	Reasons []string               `json:"reasons,omitempty"` // why not ready
	Health  mailbot.HealthSnapshot `json:"health"`
	Stats   ticketing.Stats        `json:"stats"`
}

// Check says whether mailbot can do its job: the store takes writes, every watcher is
// connected or got through recently, the outbox moves. The reasons are for a person.
func (s *Server) Check(ctx context.Context) (Status, error) {
	st := Status{At: s.now(), Health: s.health.Snapshot()}
	wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	err := s.store.Update(wctx, func(*ticketing.Tx) error { return nil })
	cancel()
	if err != nil {
		st.Reasons = append(st.Reasons, "database not writable: "+err.Error())
	}
	stats, err := s.store.Stats(ctx)
	if err != nil {
		return st, err
	}
	st.Stats = stats
	seen := map[string]mailbot.MailboxHealth{}
	for _, m := range st.Health.Mailboxes {
		seen[m.Name] = m
	}
	for _, name := range s.mailboxes {
		m, ok := seen[name]
		switch {
		case !ok:
			st.Reasons = append(st.Reasons, "mailbox "+name+": watcher not started")
		case m.State == mailbot.WatcherConnected:
		case m.LastSuccess.IsZero() || st.At.Sub(m.LastSuccess) > StaleAfter:
			why := m.State
			if m.LastError != "" {
				why += ": " + m.LastError
			}
			st.Reasons = append(st.Reasons, fmt.Sprintf("mailbox %s: not connected since %s (%s)", name, m.Since.Format(time.RFC3339), why))
		}
	}
	if !stats.OldestQueued.IsZero() && st.At.Sub(stats.OldestQueued) > StuckAfter {
		st.Reasons = append(st.Reasons, fmt.Sprintf("outbox stuck: oldest queued mail waiting for %s", st.At.Sub(stats.OldestQueued).Round(time.Minute)))
	}
	st.Ready = len(st.Reasons) == 0
	return st, nil
}

// Handler serves /healthz, /readyz, /metrics and /status.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		st, err := s.Check(r.Context())
		if err != nil {
			http.Error(w, "not ready: "+err.Error(), http.StatusServiceUnavailable)
			return
		}
		if !st.Ready {
			http.Error(w, "not ready:\n"+strings.Join(st.Reasons, "\n"), http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ready")
	})
	mux.HandleFunc("GET /status", func(w http.ResponseWriter, r *http.Request) {
		st, err := s.Check(r.Context())
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(st)
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.reg, promhttp.HandlerOpts{ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelWarn)}))
	return mux
}

// Serve answers on ln until ctx ends.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 5 * time.Second, WriteTimeout: 30 * time.Second,
		ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelWarn)}
	return httpserve.Serve(ctx, "ops server", srv, ln)
}
