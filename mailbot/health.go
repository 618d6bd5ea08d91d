package mailbot

import (
	"maps"
	"slices"
	"sync"
	"time"

	"mailbot/parsers"
)

// Health is what the running daemon knows of itself and the database cannot tell: whether each
// watcher is connected, when it last got through, what it fetched, how reading documents goes.
// Readiness checks, metrics and `mailbot status` read it. Every method is safe on a nil Health
// (tests that need none pass none).
type Health struct {
	now func() time.Time

	mu        sync.Mutex
	mailboxes map[string]*MailboxHealth
	docs      DocumentHealth
	readers   *ReaderPool // the reading workers, when the daemon has them
}

// MailboxHealth is one watcher's state.
type MailboxHealth struct {
	Name        string    `json:"name"`
	State       string    `json:"state"` // WatcherConnecting, WatcherConnected or WatcherReconnecting
	Since       time.Time `json:"since"`
	LastSuccess time.Time `json:"last_success,omitzero"` // last command the server answered
	LastError   string    `json:"last_error,omitempty"`
	Fetched     int       `json:"fetched"`    // messages fetched and recorded since start
	Reconnects  int       `json:"reconnects"` // sessions ended by a failure
	Backlog     int       `json:"backlog"`    // messages waiting in the mailbox, as last listed
	CatchUp     *Progress `json:"catch_up,omitempty"`
}

// Progress of a long catch-up (a first import, a backlog after downtime).
type Progress struct {
	Done    int           `json:"done"`
	Total   int           `json:"total"`
	Rate    float64       `json:"rate"` // messages per second
	Left    time.Duration `json:"left"` // at that rate
	Started time.Time     `json:"started"`
}

// Watcher states.
const (
	WatcherConnecting   = "connecting"
	WatcherConnected    = "connected"
	WatcherReconnecting = "reconnecting"
)

// DocumentHealth is how reading attachments goes: time spent, and failures by reason.
type DocumentHealth struct {
	Messages int            `json:"messages"` // messages whose content was read
	Seconds  float64        `json:"seconds"`  // total time reading them
	Buckets  []int          `json:"buckets"`  // cumulative counts per DocumentBuckets bound
	Failures map[string]int `json:"failures"` // unread attachments by reason
}

// DocumentBuckets are the bounds (seconds) of the reading-time histogram.
var DocumentBuckets = []float64{0.005, 0.025, 0.1, 0.5, 2, 10}

// NewHealth starts an empty record; now is the clock.
func NewHealth(now func() time.Time) *Health {
	return &Health{now: now, mailboxes: map[string]*MailboxHealth{},
		docs: DocumentHealth{Buckets: make([]int, len(DocumentBuckets)), Failures: map[string]int{}}}
}

func (h *Health) mailbox(name string) *MailboxHealth {
	m := h.mailboxes[name]
	if m == nil {
		m = &MailboxHealth{Name: name, State: WatcherConnecting, Since: h.now()}
		h.mailboxes[name] = m
	}
	return m
}

func (h *Health) update(name string, fn func(m *MailboxHealth, now time.Time)) {
	if h == nil {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	fn(h.mailbox(name), h.now())
}

func (h *Health) setState(m *MailboxHealth, state string, now time.Time) {
	if m.State != state {
		m.State, m.Since = state, now
	}
}

// connecting: a watcher dials.
func (h *Health) connecting(name string) {
	h.update(name, func(m *MailboxHealth, now time.Time) {
		if m.State != WatcherReconnecting {
			h.setState(m, WatcherConnecting, now)
		}
	})
}

// alive: the server answered a command.
func (h *Health) alive(name string) {
	h.update(name, func(m *MailboxHealth, now time.Time) {
		h.setState(m, WatcherConnected, now)
		m.LastSuccess, m.LastError = now, ""
	})
}

// failed: a session ended with err; the watcher will reconnect.
func (h *Health) failed(name string, err error) {
	h.update(name, func(m *MailboxHealth, now time.Time) {
		h.setState(m, WatcherReconnecting, now)
		m.Reconnects++
		if err != nil {
			m.LastError = err.Error()
		}
	})
}

// listed: the mailbox holds n messages not recorded yet.
func (h *Health) listed(name string, n int) {
	h.update(name, func(m *MailboxHealth, now time.Time) { m.Backlog = n })
}

// Waiting is how many messages the watchers have listed and not yet recorded, over every
// mailbox (as last listed: a watcher that lost its connection keeps its count until it lists
// again).
func (h *Health) Waiting() int {
	if h == nil {
		return 0
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, m := range h.mailboxes {
		n += m.Backlog
	}
	return n
}

// fetched: n messages were recorded; catchUp, if set, is the progress of a long catch-up
// (nil once it is over).
func (h *Health) fetched(name string, n int, catchUp *Progress) {
	h.update(name, func(m *MailboxHealth, now time.Time) {
		m.Fetched += n
		m.Backlog = max(0, m.Backlog-n)
		m.LastSuccess = now
		m.CatchUp = catchUp
	})
}

// read records the reading of one message's content and the attachments left unread.
func (h *Health) read(d time.Duration, unread []parsers.Rejected) {
	if h == nil {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.docs.Messages++
	h.docs.Seconds += d.Seconds()
	for i, b := range DocumentBuckets {
		if d.Seconds() <= b {
			h.docs.Buckets[i]++
		}
	}
	for _, u := range unread {
		h.docs.Failures[failureReason(u.Key)]++
	}
}

// failureLabels are the metric labels of the reasons a part is not read, by their keys in
// templates/say; any other reason counts as "other".
var failureLabels = map[string]string{
	reasonWorkerCrash: "crash", reasonWorkerMemory: "memory", reasonWorkerSlow: "timeout",
	reasonWorkerNone: "no_reader", reasonBudgetCPU: "budget", "worker.budget_docs": "budget",
	"doc.scan": "scan", "doc.encrypted": "encrypted", "doc.old_office": "old_format", "doc.too_slow": "timeout",
	"doc.too_big": "too_big", "doc.too_big_for_form": "too_big", "doc.damaged": "damaged",
	"doc.unknown_format": "unsupported",
}

// failureReason is the metric label of a part not read for the reason of key.
func failureReason(key string) string {
	if l, ok := failureLabels[key]; ok {
		return l
	}
	return "other"
}

// WatchReaders makes the reading workers' counts part of every snapshot.
func (h *Health) WatchReaders(p *ReaderPool) {
	if h == nil {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.readers = p
}

// HealthSnapshot is a copy of Health at one instant.
type HealthSnapshot struct {
	Mailboxes []MailboxHealth `json:"mailboxes"`
	Documents DocumentHealth  `json:"documents"`
	Readers   ReaderStats     `json:"readers"`
}

// Snapshot copies the current state; mailboxes sorted by name.
func (h *Health) Snapshot() HealthSnapshot {
	var s HealthSnapshot
	if h == nil {
		return s
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, name := range slices.Sorted(maps.Keys(h.mailboxes)) {
		m := *h.mailboxes[name]
		if m.CatchUp != nil {
			p := *m.CatchUp
			m.CatchUp = &p
		}
		s.Mailboxes = append(s.Mailboxes, m)
	}
	s.Documents = h.docs
	s.Documents.Buckets = slices.Clone(h.docs.Buckets)
	s.Documents.Failures = maps.Clone(h.docs.Failures)
	if h.readers != nil {
		s.Readers = h.readers.Stats()
	}
	return s
}
