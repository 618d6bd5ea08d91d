package ticketing

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"
	"unicode/utf8"
)

// Form is what one form attached to a ticket said, or, in a CaseFile, what every form of its
// type said, merged field by field.
type Form struct {
	MessageID string         `json:"message_id"`
	Type      string         `json:"type"`
	Source    string         `json:"source"`
	Fields    map[string]any `json:"fields"`
	Problems  []Problem      `json:"problems"`
	// Provenance says, per key of Fields, where the value was read and how sure the reader was.
	Provenance map[string]Provenance `json:"provenance"`
	ReceivedAt time.Time             `json:"received_at"`
}

// Problem is one invalid field of a form, explained for a referent.
type Problem struct {
	Field   string `json:"field"`
	Value   string `json:"value,omitempty"` // the value as written
	Message string `json:"message"`
}

// Provenance is where one form value was read and how sure the reader was of it: the
// parsers.Provenance of the reading, or a staff member's correction (How HowStaff).
type Provenance struct {
	Document string `json:"document"`
	Where    string `json:"where,omitempty"`
	Label    string `json:"label,omitempty"`
	How      string `json:"how"`
	Sure     bool   `json:"sure"`
	Doubt    string `json:"doubt,omitempty"`
	// Vouched is set when the message's sender, verified, is the value itself: the certified
	// sender of a PEC (VouchPEC) or a From our server authenticated (VouchAuth), for a value read
	// where its field stands. Merge makes such a reading sure.
	Vouched string `json:"vouched,omitempty"`
}

// Who vouches for a value (Provenance.Vouched).
const (
	VouchPEC  = "pec"  // the PEC provider certifies the message came from this PEC address
	VouchAuth = "auth" // DMARC or aligned DKIM passed for this From address, at our border
)

// How a value came to the case file, where it matters to merging (the readers' other ways,
// parsers.How*, rank as attached documents).
const (
	HowBody  = "body"  // a line of a message body (parsers.HowBody)
	HowStaff = "staff" // a value a staff member confirmed or corrected
	// HowRegistry is a value the registry of enti states, shown beside a reading it contradicts.
	HowRegistry = "registry"
)

// EventField is the event of a staff member confirming or correcting a form value.
const EventField = "field"

// Environments for caller IP addresses and credentials.
const (
	EnvCollaudo  = "collaudo"
	EnvEsercizio = "esercizio"
)

// AddForm records a form read from a message of a ticket.
func (t *Tx) AddForm(ticketID string, f Form) error {
	buf, ok := appendFields(nil, f.Fields)
	if !ok {
		var err error
		if buf, err = json.Marshal(f.Fields); err != nil {
			return fmt.Errorf("encode form fields: %w", err)
		}
	}
	fields := string(buf)
	if f.Problems == nil {
		f.Problems = []Problem{}
	}
	problems := "[]"
	if len(f.Problems) > 0 {
		b, err := json.Marshal(f.Problems)
		if err != nil {
			return fmt.Errorf("encode form problems: %w", err)
		}
		problems = string(b)
	}
	if f.Provenance == nil {
		f.Provenance = map[string]Provenance{}
	}
	prov := string(appendProvenance(buf[:0], f.Provenance, f.Source))
	if _, err := t.exec("form-insert", ticketID, f.MessageID, f.Type, f.Source, fields, problems, prov, ts(f.ReceivedAt)); err != nil {
		return err
	}
	if list, ok := t.opened[ticketID]; ok {
		if g, ok := asRead(f); ok {
			t.opened[ticketID] = append(list, g)
		} else {
			delete(t.opened, ticketID)
		}
	}
	return nil
}

// provenanceRow is a Provenance as a form's row stores it: without its Document when that is
// the form's source, as it is for nearly every value. A typed form's row then takes some 700
// bytes less, and a request's forms one page of the database, not two. Rows stored before
// always name the document.
type provenanceRow struct {
	Provenance
	Document *string `json:"document,omitempty"` // nil: the row's source
}

// Forms lists the forms of a ticket in order of arrival.
func (t *Tx) Forms(ticketID string) ([]Form, error) {
	if list, ok := t.opened[ticketID]; ok {
		out := make([]Form, 0, len(list))
		for _, f := range list {
			g, _ := asRead(f) // a copy: the caller may change what it gets
			g.fillProvenance()
			out = append(out, g)
		}
		return out, nil
	}
	return listForms(prepared{t}, t.s.query("form-list"), ticketID)
}

// asRead is f as listForms reads it back from its row (before fillProvenance), in new maps and
// slices; ok is false when that is not plain to see (a value of another type than text, a list
// of text or a yes/no; text that is not UTF-8, which JSON would change), and only the row can
// tell.
func asRead(f Form) (g Form, ok bool) {
	g = Form{MessageID: f.MessageID, Type: f.Type, Source: f.Source, ReceivedAt: parseTS(ts(f.ReceivedAt))}
	if f.Fields != nil {
		g.Fields = make(map[string]any, len(f.Fields))
		for k, v := range f.Fields {
			if v, ok = jsonValue(v); !ok || !utf8.ValidString(k) {
				return Form{}, false
			}
			g.Fields[k] = v
		}
	}
	if f.Problems != nil {
		g.Problems = make([]Problem, len(f.Problems))
		for i, p := range f.Problems {
			if !utf8.ValidString(p.Field + p.Value + p.Message) {
				return Form{}, false
			}
			g.Problems[i] = p
		}
	}
	if f.Provenance != nil {
		g.Provenance = make(map[string]Provenance, len(f.Provenance))
		for k, p := range f.Provenance {
			if !utf8.ValidString(k + p.Document + p.Where + p.Label + p.How + p.Doubt + p.Vouched) {
				return Form{}, false
			}
			g.Provenance[k] = p
		}
	}
	return g, true
}

// jsonValue is v as encoding/json decodes it from its encoding into an any.
func jsonValue(v any) (any, bool) {
	switch v := v.(type) {
	case nil, bool:
		return v, true
	case string:
		return v, utf8.ValidString(v)
	case []string:
		if v == nil {
			return nil, true
		}
		out := make([]any, len(v))
		for i, s := range v {
			if !utf8.ValidString(s) {
				return nil, false
			}
			out[i] = s
		}
		return out, true
	case []any:
		if v == nil {
			return nil, true
		}
		out := make([]any, len(v))
		for i, x := range v {
			var ok bool
			if out[i], ok = jsonValue(x); !ok {
				return nil, false
			}
		}
		return out, true
	}
	return nil, false
}

// Forms lists the forms of a ticket in order of arrival.
func (s *Store) Forms(ctx context.Context, ticketID string) ([]Form, error) {
	return listForms(s.r, s.query("form-list"), ticketID)
}

type querier interface {
	Query(string, ...any) (*sql.Rows, error)
}

func listForms(q querier, query, ticketID string) ([]Form, error) {
	rows, err := q.Query(query, ticketID)
	if err != nil {
		return nil, fmt.Errorf("forms of %s: %w", ticketID, err)
	}
	defer rows.Close()
	list := []Form{}
	for rows.Next() {
		var f Form
		var fields, problems, prov, at string
		if err := rows.Scan(&f.MessageID, &f.Type, &f.Source, &fields, &problems, &prov, &at); err != nil {
			return nil, err
		}
		var stored map[string]provenanceRow
		for _, c := range []struct {
			what, raw string
			into      any
		}{{"fields", fields, &f.Fields}, {"problems", problems, &f.Problems}, {"provenance", prov, &stored}} {
			if err := json.Unmarshal([]byte(c.raw), c.into); err != nil {
				return nil, fmt.Errorf("forms of %s: %s of a form from %s: %w", ticketID, c.what, f.MessageID, err)
			}
		}
		if stored != nil {
			f.Provenance = make(map[string]Provenance, len(stored))
			for k, r := range stored {
				p := r.Provenance
				p.Document = f.Source
				if r.Document != nil {
					p.Document = *r.Document
				}
				f.Provenance[k] = p
			}
		}
		f.ReceivedAt = parseTS(at)
		f.fillProvenance()
		list = append(list, f)
	}
	return list, rows.Err()
}

// fillProvenance gives every value or problem without a provenance (forms recorded before
// provenance was kept, a value dropped as invalid) the one its row implies: read with
// confidence from the row's source.
func (f *Form) fillProvenance() {
	if f.Fields == nil {
		f.Fields = map[string]any{}
	}
	if f.Provenance == nil {
		f.Provenance = map[string]Provenance{}
	}
	how := ""
	if f.Source == legacyBodySource || f.Source == legacyForwardSource {
		how = HowBody
	}
	fill := func(k string) {
		if _, ok := f.Provenance[k]; !ok {
			f.Provenance[k] = Provenance{Document: f.Source, How: how, Sure: true}
		}
	}
	for k := range f.Fields {
		fill(k)
	}
	for _, p := range f.Problems {
		fill(p.Field)
	}
}

// Sources of forms read from message text (parsers.SourceBody and forwarded text), for rows
// recorded before provenance was kept.
const (
	legacyBodySource    = "corpo del messaggio"
	legacyForwardSource = "messaggio inoltrato"
)

// Field returns a form field as text (lists joined with ", ").
func (f Form) Field(key string) string {
	switch v := f.Fields[key].(type) {
	case string:
		return v
	case []any:
		var parts []string
		for _, x := range v {
			parts = append(parts, fmt.Sprint(x))
		}
		return strings.Join(parts, ", ")
	case []string:
		return strings.Join(v, ", ")
	}
	return ""
}

// List returns a form field as a list.
func (f Form) List(key string) []string {
	switch v := f.Fields[key].(type) {
	case string:
		if v == "" {
			return nil
		}
		return []string{v}
	case []any:
		var out []string
		for _, x := range v {
			out = append(out, fmt.Sprint(x))
		}
		return out
	case []string:
		return v
	}
	return nil
}

// AddIPs records caller addresses of an environment.
func (t *Tx) AddIPs(ticketID, env string, ips []string, now time.Time) error {
	for _, ip := range ips {
		if _, err := t.exec("ip-insert", ticketID, env, ip, ts(now)); err != nil {
			return err
		}
	}
	return nil
}

// IPs returns a ticket's caller addresses per environment; both keys are always present.
func (s *Store) IPs(ctx context.Context, ticketID string) (map[string][]string, error) {
	return listIPs(s.r, s.query("ip-list"), ticketID)
}

// IPs returns a ticket's caller addresses per environment, as Store.IPs, inside the transaction.
func (t *Tx) IPs(ticketID string) (map[string][]string, error) {
	return listIPs(prepared{t}, t.s.query("ip-list"), ticketID)
}

func listIPs(q querier, query, ticketID string) (map[string][]string, error) {
	out := map[string][]string{EnvCollaudo: {}, EnvEsercizio: {}}
	rows, err := q.Query(query, ticketID)
	if err != nil {
		return nil, fmt.Errorf("ips of %s: %w", ticketID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var env, ip string
		if err := rows.Scan(&env, &ip); err != nil {
			return nil, err
		}
		out[env] = append(out[env], ip)
	}
	return out, rows.Err()
}

// SetRedacted stores the copy of a queued mail that replaces it once sent.
func (t *Tx) SetRedacted(outboxID int64, redacted []byte) error {
	_, err := t.exec("outbox-set-redacted", redacted, outboxID)
	return err
}

// TicketsInState lists the IDs of the tickets of a kind in a state, oldest first.
func (t *Tx) TicketsInState(kind, state string) ([]string, error) {
	rows, err := t.query("tickets-by-state", kind, state)
	if err != nil {
		return nil, fmt.Errorf("tickets in %s: %w", state, err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// Scrub makes sure data overwritten in the database is gone from the files too: with
// secure_delete on, freed pages are zeroed; truncating the WAL removes the old frames.
// A reader in the middle of a query keeps the checkpoint from finishing (it reports busy, it
// does not fail), so it is tried again for a while.
func (s *Store) Scrub(ctx context.Context) error {
	for try := 0; ; try++ {
		var busy, frames, done int
		if err := s.w.QueryRowContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &frames, &done); err != nil {
			return fmt.Errorf("checkpoint: %w", err)
		}
		if busy == 0 {
			return nil
		}
		if try == 50 {
			return errors.New("checkpoint: the write-ahead log stays in use, old frames may remain")
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// MessageIDs lists the Message-IDs of a ticket's messages, oldest first: the thread.
func (t *Tx) MessageIDs(ticketID string) ([]string, error) {
	rows, err := t.query("message-ids", ticketID)
	if err != nil {
		return nil, fmt.Errorf("message ids of %s: %w", ticketID, err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// SetMessageBlob points a recorded message at another stored copy (a redacted one).
func (t *Tx) SetMessageBlob(messageID, digest, blob string) error {
	_, err := t.exec("message-set-blob", blob, messageID, digest)
	return err
}

// RemoveBlob deletes a stored raw message.
func (s *Store) RemoveBlob(sum string) error {
	if len(sum) != 64 {
		return fmt.Errorf("blob %q: %w", sum, ErrNotFound)
	}
	return os.Remove(blobPath(s.dir, sum))
}

// MessageBlob returns the stored copy of a recorded message.
func (t *Tx) MessageBlob(messageID, digest string) (string, error) {
	var sum string
	if err := t.row("message-blob", messageID, digest).Scan(&sum); errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("blob of %s: %w", messageID, ErrNotFound)
	} else if err != nil {
		return "", fmt.Errorf("blob of %s: %w", messageID, err)
	}
	return sum, nil
}
