package ticketing

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"mailbot/mailaddr"
	"mailbot/templates/say"
)

// Retention of personal data (GDPR art. 5(1)(e) and 17). A closed case keeps its ticket, its
// events and the forms the catalogs publish from; the raw mail of the case (what people wrote,
// their attachments, the replies sent) is deleted once the case has been closed long enough, and
// a person's data is erased from closed cases on request.

// EventPrivacy records an erasure on a ticket.
const EventPrivacy = "privacy"

// removed replaces erased personal data.
const removed = "[rimosso]"

// RetentionStats says what a retention run or an erasure deleted.
type RetentionStats struct {
	Tickets      []string // closed cases whose raw mail was deleted (or, for Forget, erased)
	Open         []string // Forget: open cases naming the person, left untouched
	MessageFiles int      // raw message files deleted
	Orphans      int      // Expire: message files no message referred to, left by a crash
}

// Expire deletes the raw mail of cases closed before cutoff, and of quarantined messages
// received before it, then scrubs the database files so nothing deleted stays in them.
func (s *Store) Expire(ctx context.Context, cutoff, now time.Time) (RetentionStats, error) {
	var st RetentionStats
	var sums []string
	err := s.Update(ctx, func(tx *Tx) error {
		st, sums = RetentionStats{}, nil
		ids, err := tx.closedSince(cutoff)
		if err != nil {
			return err
		}
		for _, id := range ids {
			got, dropped, err := tx.dropRawMail(id)
			if err != nil {
				return err
			}
			if !dropped {
				continue // expired before
			}
			sums = append(sums, got...)
			st.Tickets = append(st.Tickets, id)
			if err := tx.AddEvent(id, Event{At: now, Type: EventPrivacy, By: "mailbot",
				Text: say.Text("retention.expired")}); err != nil {
				return err
			}
		}
		got, err := tx.strings("retention-quarantine-blobs", ts(cutoff))
		if err != nil {
			return err
		}
		sums = append(sums, got...)
		_, err = tx.exec("retention-clear-quarantine", ts(cutoff))
		return err
	})
	if err != nil {
		return st, fmt.Errorf("retention: %w", err)
	}
	st.MessageFiles, err = s.removeUnused(ctx, sums)
	if err != nil {
		return st, err
	}
	if st.Orphans, err = s.removeOrphans(ctx, now); err != nil {
		return st, err
	}
	return st, s.Scrub(ctx)
}

// orphanGrace is how old a message file no message refers to must be before a retention run
// deletes it: files are written just before the transaction that refers to them.
const orphanGrace = time.Hour

// removeOrphans deletes the message files no message refers to, older than orphanGrace, and
// the temporary files of writes never finished. A crash leaves them: between writing a file and
// recording its message, or between recording the masked copy of a message that quoted a
// password and deleting the unmasked file, which must not stay on disk for good.
func (s *Store) removeOrphans(ctx context.Context, now time.Time) (int, error) {
	old := func(d fs.DirEntry) bool {
		info, err := d.Info()
		return err == nil && info.ModTime().Before(now.Add(-orphanGrace))
	}
	var sums []string
	err := filepath.WalkDir(filepath.Join(s.dir, "messages"), func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if sum, ok := strings.CutSuffix(d.Name(), ".eml"); ok && !d.IsDir() && len(sum) == 64 && old(d) {
			sums = append(sums, sum)
		}
		return ctx.Err()
	})
	if err != nil {
		return 0, fmt.Errorf("list message files: %w", err)
	}
	tmp, _ := os.ReadDir(filepath.Join(s.dir, "tmp"))
	for _, d := range tmp {
		if !d.IsDir() && old(d) {
			os.Remove(filepath.Join(s.dir, "tmp", d.Name()))
		}
	}
	return s.removeUnused(ctx, sums)
}

// Forget erases a person, named by their address, from every closed case: their address, and
// the names, codice fiscale and phone of the form section that gives that address, wherever
// the case holds them (messages, events, forms, outbox); the case's raw mail is deleted. Each
// case keeps an event saying an erasure took place, naming no one. Open cases are listed in
// Open and left alone: their processing still needs the data.
func (s *Store) Forget(ctx context.Context, addr string, now time.Time) (RetentionStats, error) {
	var st RetentionStats
	addr = mailaddr.Norm(addr).String()
	if !strings.Contains(addr, "@") || len(addr) < 3 {
		return st, fmt.Errorf("forget: %q is not an email address", addr)
	}
	var sums []string
	err := s.Update(ctx, func(tx *Tx) error {
		st, sums = RetentionStats{}, nil
		rows, err := tx.query("forget-tickets", addr)
		if err != nil {
			return fmt.Errorf("cases naming the person: %w", err)
		}
		type tk struct{ id, kind, state string }
		var list []tk
		for rows.Next() {
			var t tk
			if err := rows.Scan(&t.id, &t.kind, &t.state); err != nil {
				rows.Close()
				return err
			}
			list = append(list, t)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, t := range list {
			if IsOpen(t.kind, t.state) {
				st.Open = append(st.Open, t.id)
				continue
			}
			got, err := tx.forgetIn(t.id, addr, now)
			if err != nil {
				return fmt.Errorf("erase from %s: %w", t.id, err)
			}
			sums = append(sums, got...)
			st.Tickets = append(st.Tickets, t.id)
		}
		_, err = tx.exec("forget-auto-replies", addr)
		return err
	})
	if err != nil {
		return st, fmt.Errorf("forget: %w", err)
	}
	st.MessageFiles, err = s.removeUnused(ctx, sums)
	if err != nil {
		return st, err
	}
	return st, s.Scrub(ctx)
}

// forgetIn erases the person from one closed case and returns the message files it no longer
// refers to.
func (t *Tx) forgetIn(id, addr string, now time.Time) ([]string, error) {
	terms, err := t.forgetForms(id, addr)
	if err != nil {
		return nil, err
	}
	// The address as each place wrote it ("Mario.Rossi@Comune.Venezia.it"): SQL replace is
	// case-sensitive.
	found, err := t.strings("forget-variants", id, addr)
	if err != nil {
		return nil, err
	}
	for _, f := range found {
		var list []string
		if json.Unmarshal([]byte(f), &list) != nil {
			list = []string{f}
		}
		for _, a := range list {
			if mailaddr.Same(a, addr) && !slices.Contains(terms, a) {
				terms = append(terms, a)
			}
		}
	}
	for _, term := range terms {
		for _, q := range []string{"forget-replace", "forget-replace-ticket", "forget-replace-events",
			"forget-replace-outbox", "forget-replace-schedule", "forget-replace-forms", "forget-replace-proposals"} {
			if _, err := t.exec(q, id, term); err != nil {
				return nil, err
			}
		}
	}
	sums, _, err := t.dropRawMail(id)
	if err != nil {
		return nil, err
	}
	return sums, t.AddEvent(id, Event{At: now, Type: EventPrivacy, By: "mailbot",
		Text: say.Text("retention.erased")})
}

// forgetForms blanks, in every form of a case, the section that gives addr (referente,
// software house, …: the fields sharing its key prefix), and returns every text to erase
// elsewhere: the address, and those fields' values (names, codice fiscale, phone).
func (t *Tx) forgetForms(id, addr string) ([]string, error) {
	terms := []string{addr}
	rows, err := t.query("forget-forms", id)
	if err != nil {
		return nil, err
	}
	type form struct {
		id     int64
		fields map[string]any
	}
	var forms []form
	for rows.Next() {
		var f form
		var raw string
		if err := rows.Scan(&f.id, &raw); err != nil {
			rows.Close()
			return nil, err
		}
		if err := json.Unmarshal([]byte(raw), &f.fields); err != nil {
			rows.Close()
			return nil, fmt.Errorf("form %d fields: %w", f.id, err)
		}
		forms = append(forms, f)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, f := range forms {
		var sections []string
		for k, v := range f.fields {
			if s, ok := v.(string); ok && mailaddr.Same(s, addr) {
				terms = append(terms, strings.TrimSpace(s))
				if i := strings.LastIndexByte(k, '.'); i > 0 {
					sections = append(sections, k[:i+1])
				}
				f.fields[k] = removed
			}
		}
		var nome, cognome string
		for k, v := range f.fields {
			if !slices.ContainsFunc(sections, func(p string) bool { return strings.HasPrefix(k, p) }) {
				continue
			}
			if s, ok := v.(string); ok && s != removed {
				terms = append(terms, s)
				switch {
				case strings.HasSuffix(k, ".nome"):
					nome = s
				case strings.HasSuffix(k, ".cognome"):
					cognome = s
				}
			}
			f.fields[k] = removed
		}
		if nome != "" && cognome != "" {
			terms = append(terms, nome+" "+cognome, cognome+" "+nome)
		}
		b, err := json.Marshal(f.fields)
		if err != nil {
			return nil, err
		}
		if _, err := t.exec("forget-form-set", string(b), f.id); err != nil {
			return nil, err
		}
	}
	// Longest first, so "Mario Rossi" goes before "Rossi" leaves "Mario"; very short values
	// (initials) would erase unrelated text.
	terms = slices.DeleteFunc(terms, func(s string) bool { return len([]rune(strings.TrimSpace(s))) < 3 })
	slices.SortFunc(terms, func(a, b string) int { return cmp.Or(len(b)-len(a), strings.Compare(a, b)) })
	return slices.Compact(terms), nil
}

// closedSince lists the cases closed before cutoff.
func (t *Tx) closedSince(cutoff time.Time) ([]string, error) {
	rows, err := t.query("retention-candidates", ts(cutoff))
	if err != nil {
		return nil, fmt.Errorf("closed cases: %w", err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id, kind, state string
		if err := rows.Scan(&id, &kind, &state); err != nil {
			return nil, err
		}
		if !IsOpen(kind, state) {
			ids = append(ids, id)
		}
	}
	return ids, rows.Err()
}

// dropRawMail detaches a case's raw messages and the bodies of the mail sent for it; it returns
// the message files it referred to, and whether there was anything left to drop.
func (t *Tx) dropRawMail(id string) (sums []string, dropped bool, err error) {
	if sums, err = t.strings("retention-ticket-blobs", id); err != nil {
		return nil, false, err
	}
	if _, err := t.exec("retention-clear-blobs", id); err != nil {
		return nil, false, err
	}
	res, err := t.exec("retention-clear-outbox", id)
	if err != nil {
		return nil, false, err
	}
	n, _ := res.RowsAffected()
	return sums, len(sums) > 0 || n > 0, nil
}

// strings runs a named query returning one text column.
func (t *Tx) strings(name string, args ...any) ([]string, error) {
	rows, err := t.query(name, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// removeUnused deletes the message files no message refers to any more (identical content is
// stored once, and may belong to another case).
func (s *Store) removeUnused(ctx context.Context, sums []string) (int, error) {
	n := 0
	for _, sum := range sums {
		if len(sum) != 64 {
			continue
		}
		var refs int
		if err := s.r.QueryRowContext(ctx, s.query("blob-in-use"), sum).Scan(&refs); err != nil {
			return n, fmt.Errorf("message file %s in use: %w", sum, err)
		}
		if refs > 0 {
			continue
		}
		if err := os.Remove(blobPath(s.dir, sum)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return n, fmt.Errorf("delete message file: %w", err)
		}
		n++
	}
	return n, nil
}
