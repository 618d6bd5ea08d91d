// Package ticketing owns the cases: the SQLite store, the ticket states and their events.
package ticketing

import (
	"bufio"
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "modernc.org/sqlite" // registers the pure-Go "sqlite" driver
)

//go:embed migrations/*.sql queries*.sql
var sqlFS embed.FS

// ErrNotFound is returned when a ticket or record does not exist.
var ErrNotFound = errors.New("not found")

// Store is the one SQLite database of mailbot. Writes go through a single connection (one
// writer, immediate transactions); reads use a separate pool so the CLI and reports never wait
// behind the daemon's writes longer than one transaction.
type Store struct {
	w, r *sql.DB
	q    map[string]string
	dir  string

	mu     sync.Mutex
	stmts  map[string]*sql.Stmt // prepared once on the writer's connection
	byText map[string]*sql.Stmt // the same, by their SQL
	names  map[string]string    // query names by their SQL
	// touches are the named queries that write the tickets table: its triggers then leave
	// changes for the search index (Tx.search).
	touches map[string]bool

	writes atomic.Int64 // write transactions begun
	parts  sync.Map     // outbox parts by sum, stored and checked (Part)
	fsSync *fsSync      // a batch of blobs synced at once (SyncBlobs)

	// syncedAtOnce and syncedByFile count the batches SyncBlobs made durable, by how.
	syncedAtOnce, syncedByFile atomic.Int64
}

// Writes counts the write transactions begun since Open: the single writer is what a flood
// must not reach, and tests count it.
func (s *Store) Writes() int64 { return s.writes.Load() }

// dbName is the database file in a data directory.
const dbName = "mailbot.db"

// Open opens (creating if needed) the database under dataDir and applies pending migrations.
func Open(dataDir string) (*Store, error) {
	if err := os.MkdirAll(dataDir, 0o750); err != nil {
		return nil, fmt.Errorf("create data dir: %w", err)
	}
	path := filepath.Join(dataDir, dbName)
	dsn := "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_pragma=secure_delete(1)&_txlock=immediate"
	w, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	r, err := sql.Open("sqlite", dsn)
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	r.SetMaxOpenConns(4)
	q, err := loadQueries()
	if err != nil {
		w.Close()
		r.Close()
		return nil, err
	}
	s := &Store{w: w, r: r, q: q, dir: dataDir, names: map[string]string{}, touches: map[string]bool{}}
	for name, text := range q {
		s.names[text] = name
		s.touches[name] = writesTickets.MatchString(text)
	}
	if err := s.migrate(); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.prepare(); err != nil {
		s.Close()
		return nil, err
	}
	s.fsSync = openFSSync(filepath.Join(dataDir, "messages"))
	return s, nil
}

// Close closes both pools.
func (s *Store) Close() error {
	s.mu.Lock()
	for _, st := range s.stmts {
		st.Close()
	}
	s.stmts, s.byText = nil, nil
	s.mu.Unlock()
	if s.fsSync != nil {
		s.fsSync.close()
	}
	return errors.Join(s.w.Close(), s.r.Close())
}

// prepare prepares every named query on the writer pool, once, at open: parsing SQL cost as
// much as running it. It must run outside any transaction, since the pool has one connection.
func (s *Store) prepare() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stmts, s.byText = map[string]*sql.Stmt{}, map[string]*sql.Stmt{}
	for name, q := range s.q {
		st, err := s.w.Prepare(q)
		if err != nil {
			return fmt.Errorf("prepare %s: %w", name, err)
		}
		s.stmts[name], s.byText[q] = st, st
	}
	return nil
}

// stmt returns a prepared named query; every transaction reuses it (one connection, so
// Tx.Stmt finds it already prepared there).
func (s *Store) stmt(name string) (*sql.Stmt, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.stmts[name]
	if !ok {
		return nil, fmt.Errorf("query %s: not prepared", name)
	}
	return st, nil
}

// Dir is the data directory.
func (s *Store) Dir() string { return s.dir }

// loadQueries reads queries*.sql, where each query follows a "-- name: x" line.
func loadQueries() (map[string]string, error) {
	files, _ := fs.Glob(sqlFS, "queries*.sql")
	q := map[string]string{}
	for _, name := range files {
		if err := loadQueryFile(name, q); err != nil {
			return nil, err
		}
	}
	return q, nil
}

func loadQueryFile(file string, q map[string]string) error {
	f, err := sqlFS.Open(file)
	if err != nil {
		return fmt.Errorf("open queries: %w", err)
	}
	defer f.Close()
	var name string
	var b strings.Builder
	flush := func() {
		if name != "" {
			q[name] = trimTrailingComments(b.String())
		}
		b.Reset()
	}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if n, ok := strings.CutPrefix(line, "-- name: "); ok {
			flush()
			name = strings.TrimSpace(n)
			if _, dup := q[name]; dup {
				return fmt.Errorf("%s: query %s defined twice", file, name)
			}
			continue
		}
		b.WriteString(line)
		b.WriteByte('\n')
	}
	flush()
	return sc.Err()
}

// trimTrailingComments is a query's text without the comment lines after its statement (those
// that introduce the next query): the driver would parse that tail as a second statement on
// every run.
func trimTrailingComments(text string) string {
	text = strings.TrimSpace(text)
	for {
		i := strings.LastIndexByte(text, '\n')
		if i < 0 || !strings.HasPrefix(strings.TrimSpace(text[i+1:]), "--") {
			return text
		}
		text = strings.TrimSpace(text[:i])
	}
}

func (s *Store) query(name string) string {
	q, ok := s.q[name]
	if !ok {
		panic("ticketing: unknown query " + name) // a programming error caught by any test
	}
	return q
}

// migrate applies, in order and each in its own transaction, the embedded migrations newer than
// the database's user_version.
func (s *Store) migrate() error {
	names, err := fs.Glob(sqlFS, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	var version int
	if err := s.w.QueryRow("PRAGMA user_version").Scan(&version); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if version > len(names) {
		return fmt.Errorf("database schema version %d is newer than this mailbot (%d)", version, len(names))
	}
	for i := version; i < len(names); i++ {
		body, err := sqlFS.ReadFile(names[i])
		if err != nil {
			return err
		}
		tx, err := s.w.Begin()
		if err != nil {
			return fmt.Errorf("migration %s: %w", names[i], err)
		}
		if _, err := tx.Exec(string(body)); err != nil {
			tx.Rollback()
			return fmt.Errorf("migration %s: %w", names[i], err)
		}
		if _, err := tx.Exec(fmt.Sprintf("PRAGMA user_version = %d", i+1)); err != nil {
			tx.Rollback()
			return fmt.Errorf("migration %s: %w", names[i], err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("migration %s: %w", names[i], err)
		}
	}
	return nil
}

// Tx is one write transaction.
type Tx struct {
	s     *Store
	tx    *sql.Tx
	after []func()
	read  bool // on the read pool: the writer's prepared statements do not apply
	// bound holds the writer's statements bound to this transaction: sql.Tx.Stmt allocates and
	// registers a new one at every call, and recording a request runs some fifty statements.
	bound map[*sql.Stmt]*sql.Stmt
	// opened holds the forms of the tickets opened in this transaction, as Forms would read
	// them back (asRead): the step that files a new case's forms then reads them without
	// decoding the rows it just wrote. Dropped whole at any statement not known to leave
	// ticket_forms alone (keepsForms).
	opened map[string][]Form
	// source is the registry's source as read in this transaction (registrySource), dropped
	// like opened.
	source *registrySource
	// search is set once a statement that may change a ticket ran: the search index is then
	// brought up to date before the commit.
	search bool
}

// writesTickets matches SQL that writes the tickets table.
var writesTickets = regexp.MustCompile(`(?is)\b(insert(\s+or\s+\w+)?\s+into|update(\s+or\s+\w+)?|delete\s+from|replace\s+into)\s+tickets\b`)

// keepsForms are the statements recording a request runs, none of which writes ticket_forms,
// secret_hashes or the registry, nor deletes tickets. Any other statement drops Tx.opened and
// Tx.source, whatever it does.
var keepsForms = map[string]bool{
	"form-insert": true, "form-list": true, "ticket-insert": true, "seq-next": true, "ticket-get": true,
	"ticket-set-ente": true, "ticket-set-state": true, "ticket-set-flag": true, "event-insert": true,
	"message-find": true, "message-insert": true, "copy-insert": true, "message-ids": true,
	"ticket-by-message-id": true, "ticket-open-by-ente": true, "mailbox-get": true, "mailbox-set": true,
	"attempt-clear": true, "attempt-clear-through": true, "registry-source": true, "registry-by-ipa": true, "registry-by-cf": true, "secret-hash-list": true, "auto-reply-tally-add": true,
	"auto-reply-tallies-since": true, "outbox-insert": true, "outbox-body-insert": true, "outbox-part-insert": true, "ip-list": true,
}

// ran notes that the named statement runs in this transaction.
func (t *Tx) ran(name string) {
	if !keepsForms[name] {
		t.opened, t.source = nil, nil
	}
	if name == "" || t.s.touches[name] {
		t.search = true
	}
}

// stmt is st bound to this transaction.
func (t *Tx) stmt(st *sql.Stmt) *sql.Stmt {
	b, ok := t.bound[st]
	if !ok {
		if t.bound == nil {
			t.bound = map[*sql.Stmt]*sql.Stmt{}
		}
		b = t.tx.Stmt(st)
		t.bound[st] = b
	}
	return b
}

// AfterCommit runs fn once the transaction has committed (never if it rolls back): for effects
// outside the database, such as waking a worker, that must not happen for a change undone.
func (t *Tx) AfterCommit(fn func()) { t.after = append(t.after, fn) }

// Update runs fn in one write transaction, committed only if fn returns nil.
func (s *Store) Update(ctx context.Context, fn func(*Tx) error) error {
	s.writes.Add(1)
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	t := &Tx{s: s, tx: tx}
	if err := fn(t); err != nil {
		tx.Rollback()
		return err
	}
	if t.search {
		if err := t.indexSearch(); err != nil {
			tx.Rollback()
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	for _, f := range t.after {
		f()
	}
	return nil
}

// indexSearch brings the console's search index up to date with the changes of tickets the
// transaction made, in one statement (migration 0020_search_once_per_transaction).
func (t *Tx) indexSearch() error {
	if _, err := t.exec("search-pending-apply"); err != nil {
		return err
	}
	_, err := t.exec("search-pending-clear")
	return err
}

func (t *Tx) exec(name string, args ...any) (sql.Result, error) {
	t.ran(name)
	st, err := t.s.stmt(name)
	if err != nil {
		return nil, err
	}
	if t.read {
		return nil, fmt.Errorf("%s: a read-only transaction cannot write", name)
	}
	res, err := t.stmt(st).Exec(args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return res, nil
}

func (t *Tx) row(name string, args ...any) *sql.Row {
	t.ran(name)
	st, err := t.s.stmt(name)
	if err != nil || t.read {
		return t.tx.QueryRow(t.s.query(name), args...)
	}
	return t.stmt(st).QueryRow(args...)
}

// query runs a named query returning rows, on its prepared statement like exec and row.
func (t *Tx) query(name string, args ...any) (*sql.Rows, error) {
	return prepared{t}.Query(t.s.query(name), args...)
}

// prepared runs a named query's SQL on the statement prepared for it, for the functions that
// read either the read pool or a transaction (a querier).
type prepared struct{ t *Tx }

func (p prepared) Query(query string, args ...any) (*sql.Rows, error) {
	p.t.ran(p.t.s.names[query]) // "" for SQL of no name: drops Tx.opened
	if !p.t.read {
		p.t.s.mu.Lock()
		st := p.t.s.byText[query]
		p.t.s.mu.Unlock()
		if st != nil {
			return p.t.stmt(st).Query(args...)
		}
	}
	return p.t.tx.Query(query, args...)
}

// tsLayout is RFC 3339 in UTC with nanoseconds always written: every stored instant has the
// same width, so SQL compares them as text in time order (RFC3339Nano drops trailing zeros, and
// "…:05Z" sorts after "…:05.5Z").
const tsLayout = "2006-01-02T15:04:05.000000000Z"

func ts(t time.Time) string { return t.UTC().Format(tsLayout) }

func parseTS(s string) time.Time {
	t, _ := time.Parse(time.RFC3339Nano, s)
	return t
}
