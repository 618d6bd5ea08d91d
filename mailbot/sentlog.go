package mailbot

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"mailbot/ticketing"
)

// sentLog is the sender's note of the mails the SMTP server accepted that the store does not
// record as sent yet: data_dir/outbox-sent.log, a line "ID TIME" each, written as soon as the
// server has the mail. The store then records a flush's mails in one transaction instead of one
// each (one writer transaction for every reply competed with intake during a backlog). A sender
// that stops before recording leaves its notes here, and the next flush, in whichever process,
// records them before it looks for due mail: a crash sends again at most the one mail on the
// wire, as with a transaction per mail. Flushes take the log in turn (a file lock), so a note is
// never forgotten by a flush other than the one that recorded it.
type sentLog struct{ f *os.File }

// openSentLog opens and locks dir's sent log, waiting for another process's flush to finish.
func openSentLog(ctx context.Context, dir string) (*sentLog, error) {
	f, err := os.OpenFile(filepath.Join(dir, "outbox-sent.log"), os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o640)
	if err != nil {
		return nil, fmt.Errorf("open sent log: %w", err)
	}
	if err := lockFile(ctx, f); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock sent log: %w", err)
	}
	return &sentLog{f: f}, nil
}

// claimed notes a flush's claims, taken until lease, before it takes them: a flush that stops
// leaves them, and the next flush gives them back (Tx.Unclaim) rather than letting every mail
// of the batch wait for the lease to run out.
func (l *sentLog) claimed(lease time.Time) error {
	var buf [64]byte
	line := append(buf[:0], "c "...)
	line = lease.UTC().AppendFormat(line, time.RFC3339Nano)
	if _, err := l.f.Write(append(line, '\n')); err != nil {
		return fmt.Errorf("note claims: %w", err)
	}
	return nil
}

// note adds m, sent at m.SentAt.
func (l *sentLog) note(m *ticketing.OutMail) error {
	var buf [64]byte
	line := strconv.AppendInt(buf[:0], m.ID, 10)
	line = append(line, ' ')
	line = m.SentAt.UTC().AppendFormat(line, time.RFC3339Nano)
	if _, err := l.f.Write(append(line, '\n')); err != nil {
		return fmt.Errorf("note sent mail: %w", err)
	}
	return nil
}

// noted is what the log holds: when each mail was sent, by ID, and the leases of the claims
// noted. A line a crash cut short is left out: its mail went out once, unrecorded, like one the
// server accepted just before a crash (its claims, not yet taken, need no giving back).
func (l *sentLog) noted(now time.Time) (sent map[int64]time.Time, leases []time.Time, err error) {
	st, err := l.f.Stat()
	if err != nil || st.Size() == 0 {
		return nil, nil, err
	}
	data := make([]byte, st.Size())
	if _, err := l.f.ReadAt(data, 0); err != nil {
		return nil, nil, fmt.Errorf("read sent log: %w", err)
	}
	out := map[int64]time.Time{}
	for len(data) > 0 {
		line, rest, whole := bytes.Cut(data, []byte("\n"))
		data = rest
		id, at, ok := bytes.Cut(line, []byte(" "))
		if whole && ok && string(id) == "c" {
			if t, err := time.Parse(time.RFC3339Nano, string(at)); err == nil {
				leases = append(leases, t)
			}
			continue
		}
		n, err := strconv.ParseInt(string(id), 10, 64)
		if !whole || !ok || err != nil {
			continue
		}
		t, err := time.Parse(time.RFC3339Nano, string(at))
		if err != nil {
			t = now // the time was cut, the ID was not: sent, when is lost
		}
		out[n] = t
	}
	return out, leases, nil
}

// clear forgets every note, once the store has recorded them.
func (l *sentLog) clear() error {
	if err := l.f.Truncate(0); err != nil {
		return fmt.Errorf("clear sent log: %w", err)
	}
	return nil
}

func (l *sentLog) close() { l.f.Close() }
