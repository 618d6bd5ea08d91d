package ticketing

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// addMail records one message with its raw file under a new ticket, as intake does.
func addMail(t testing.TB, s *Store, n int) {
	raw := fmt.Sprintf("From: r%d@ente.it\r\nSubject: richiesta %d\r\n\r\ncorpo %d\r\n", n, n, n)
	sum, err := s.PutBlob([]byte(raw))
	if err != nil {
		t.Error(err)
		return
	}
	now := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	err = s.Update(context.Background(), func(tx *Tx) error {
		tk, err := tx.NewTicket(KindIntegration, fmt.Sprint("richiesta ", n), "r@ente.it", "mailbot", now, time.UTC)
		if err != nil {
			return err
		}
		_, err = tx.AddMessage(&Message{TicketID: tk.ID, Direction: "in", MessageID: fmt.Sprintf("m%d@ente.it", n),
			Digest: sum, Blob: sum, ReceivedAt: now})
		return err
	})
	if err != nil {
		t.Error(err)
	}
}

// TestBackupUnderLoadRestoresAndChecks: a backup taken while messages keep arriving is a
// consistent data directory: it opens, passes Check, holds every message recorded before it
// started, and each of its messages has its file.
func TestBackupUnderLoadRestoresAndChecks(t *testing.T) {
	ctx := context.Background()
	src := t.TempDir()
	s, err := Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for i := range 50 {
		addMail(t, s, i)
	}
	var (
		stop    atomic.Bool
		written atomic.Int64
		wg      sync.WaitGroup
	)
	written.Store(50)
	wg.Go(func() {
		for n := 50; !stop.Load(); n++ {
			addMail(t, s, n)
			written.Add(1)
		}
	})
	before := written.Load()
	dir := filepath.Join(t.TempDir(), "backup")
	st, err := s.Backup(ctx, dir)
	stop.Store(true)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Gone) != 0 {
		t.Errorf("files gone during backup: %v", st.Gone)
	}
	rep, err := Check(ctx, dir)
	if err != nil || len(rep.Problems) != 0 {
		t.Fatalf("check of the backup: %v %v", err, rep.Problems)
	}
	if int64(rep.Messages) < before || rep.Messages != st.Blobs {
		t.Errorf("backup holds %d message files (%d copied), %d were recorded before it started", rep.Messages, st.Blobs, before)
	}
	// Restore: the backup directory is a data directory.
	restored, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer restored.Close()
	tickets, err := restored.Tickets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(tickets) != rep.Messages {
		t.Errorf("restored %d tickets, %d messages", len(tickets), rep.Messages)
	}
	for _, tk := range tickets[:3] {
		msgs, err := restored.Messages(ctx, tk.ID)
		if err != nil || len(msgs) != 1 {
			t.Fatalf("messages of %s: %v %d", tk.ID, err, len(msgs))
		}
		f, err := restored.OpenBlob(msgs[0].Blob)
		if err != nil {
			t.Fatalf("restored message file: %v", err)
		}
		f.Close()
	}
	if _, err := s.Backup(ctx, dir); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("a second backup into the same directory: %v", err)
	}
}

// TestCheckFindsDamage: a missing or an altered message file is reported.
func TestCheckFindsDamage(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		addMail(t, s, i)
	}
	tickets, _ := s.Tickets(ctx)
	var sums []string
	for _, tk := range tickets {
		msgs, _ := s.Messages(ctx, tk.ID)
		sums = append(sums, msgs[0].Blob)
	}
	s.Close()
	if rep, err := Check(ctx, dir); err != nil || len(rep.Problems) != 0 || rep.Messages != 3 {
		t.Fatalf("healthy directory: %v %+v", err, rep)
	}
	os.Remove(blobPath(dir, sums[0]))
	os.WriteFile(blobPath(dir, sums[1]), []byte("altered"), 0o640)
	rep, err := Check(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	all := strings.Join(rep.Problems, "\n")
	if len(rep.Problems) != 2 || !strings.Contains(all, "missing: "+sums[0]) || !strings.Contains(all, sums[1]+" does not match") {
		t.Errorf("problems:\n%s", all)
	}
	if _, err := Check(ctx, t.TempDir()); err == nil {
		t.Error("a directory without a database passes the check")
	}
}
