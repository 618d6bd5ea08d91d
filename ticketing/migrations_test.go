package ticketing

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// TestMigrationsNumbered: migrations are applied by position, and the database records how many
// ran; two files with one number (two branches landing at once) or a gap would make the names
// lie about the order. They must be 0001, 0002, ... in a row.
func TestMigrationsNumbered(t *testing.T) {
	names, err := fs.Glob(sqlFS, "migrations/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(names)
	for i, n := range names {
		if want := fmt.Sprintf("migrations/%04d_", i+1); len(n) < len(want) || n[:len(want)] != want {
			t.Errorf("migration %d is %s, want a name starting %s", i+1, n, want)
		}
	}
}

// TestOutboxBodiesMigration: a database whose outbox held its mail's bytes in its own rows
// (before the migration outbox_bodies) keeps every mail, queued or sent, with its bytes and its redacted copy.
func TestOutboxBodiesMigration(t *testing.T) {
	dir := t.TempDir()
	db := dbBefore(t, dir, "_outbox_bodies.sql")
	now := ts(time.Now().Add(-time.Minute))
	for _, m := range []struct {
		id, state, raw string
		redacted       any
	}{{"queued@x", "queued", "queued mail", nil}, {"sent@x", "sent", "secret 1234", "secret ****"}} {
		if _, err := db.Exec(`INSERT INTO outbox (message_id, kind, mail_from, rcpts, raw, auto, state, next_at, created_at, raw_redacted)
			VALUES (?, 'ack', 'a@x', '["b@x"]', ?, 1, ?, ?, ?, ?)`, m.id, []byte(m.raw), m.state, now, now, m.redacted); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	due, err := s.DueMail(ctx, time.Now(), 10)
	if err != nil || len(due) != 1 || due[0].MessageID != "queued@x" || string(due[0].Raw) != "queued mail" {
		t.Fatalf("due mail after the migration: %+v, %v", due, err)
	}
	if raw, err := s.SentCopy(ctx, "sent@x"); err != nil || string(raw) != "secret ****" {
		t.Errorf("copy of the sent mail: %q, %v; want its redacted copy", raw, err)
	}
	if raw, err := s.SentCopy(ctx, "queued@x"); err != nil || string(raw) != "queued mail" {
		t.Errorf("copy of the queued mail: %q, %v", raw, err)
	}
}

// dbBefore opens a database under dir as it stood before the migration whose name ends with
// suffix: every earlier migration applied and counted, that one and later ones not.
func dbBefore(t *testing.T, dir, suffix string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, dbName)+"?_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)")
	if err != nil {
		t.Fatal(err)
	}
	names, err := fs.Glob(sqlFS, "migrations/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(names)
	for i, n := range names {
		if strings.HasSuffix(n, suffix) {
			if _, err := db.Exec(fmt.Sprintf("PRAGMA user_version = %d", i)); err != nil {
				t.Fatal(err)
			}
			return db
		}
		body, err := sqlFS.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(string(body)); err != nil {
			t.Fatalf("%s: %v", n, err)
		}
	}
	t.Fatalf("no migration named *%s", suffix)
	return nil
}
