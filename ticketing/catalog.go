package ticketing

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"mailbot/templates/say"
)

// EventCatalog is the type of the event that records a correction to a published catalog.
const EventCatalog = "catalog"

// CatalogCorrection is what staff changed of one entry of a published catalog. The entry is
// keyed by the ticket it comes from.
type CatalogCorrection struct {
	Catalog   string            `json:"catalog"`
	Key       string            `json:"key"`
	Hidden    bool              `json:"hidden"`
	Fields    map[string]string `json:"fields"` // field -> value that replaces the forms' one
	UpdatedAt time.Time         `json:"updated_at"`
	UpdatedBy string            `json:"updated_by"`
}

// CatalogChange is one correction to apply: Hidden nil leaves visibility as it is; a field set
// to "" drops its correction, so the forms' value shows again.
type CatalogChange struct {
	Catalog string
	Key     string
	Hidden  *bool
	Fields  map[string]string
}

// CorrectCatalog applies a change to a catalog entry and records it as an event on the entry's
// ticket. It returns ErrNotFound when no ticket has that key.
func (t *Tx) CorrectCatalog(c CatalogChange, by string, now time.Time) error {
	if c.Catalog == "" {
		return errors.New("catalog correction: no catalog named")
	}
	if _, err := t.Ticket(c.Key); err != nil {
		return fmt.Errorf("catalog correction of %s: %w", c.Key, err)
	}
	var hidden bool
	var raw string
	fields := map[string]string{}
	err := t.row("catalog-correction-get", c.Catalog, c.Key).Scan(&hidden, &raw)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return fmt.Errorf("catalog correction of %s: %w", c.Key, err)
	default:
		if err := json.Unmarshal([]byte(raw), &fields); err != nil {
			return fmt.Errorf("catalog correction of %s: stored fields: %w", c.Key, err)
		}
	}

	var said []string // Italian, for the ticket's history
	if c.Hidden != nil && *c.Hidden != hidden {
		hidden = *c.Hidden
		if hidden {
			said = append(said, say.Text("catalog.event_hidden"))
		} else {
			said = append(said, say.Text("catalog.event_shown"))
		}
	}
	names := make([]string, 0, len(c.Fields))
	for f := range c.Fields {
		names = append(names, f)
	}
	sort.Strings(names)
	for _, f := range names {
		v := c.Fields[f]
		if v == "" {
			if _, ok := fields[f]; ok {
				delete(fields, f)
				said = append(said, say.Text("catalog.event_as_forms", f))
			}
			continue
		}
		if fields[f] != v {
			fields[f] = v
			said = append(said, fmt.Sprintf("%s = %q", f, v))
		}
	}
	if len(said) == 0 {
		return nil // nothing changes: no event either
	}

	if !hidden && len(fields) == 0 {
		if _, err := t.exec("catalog-correction-delete", c.Catalog, c.Key); err != nil {
			return err
		}
	} else {
		enc, _ := json.Marshal(fields)
		if _, err := t.exec("catalog-correction-put", c.Catalog, c.Key, hidden, string(enc), ts(now), by); err != nil {
			return err
		}
	}
	return t.AddEvent(c.Key, Event{At: now, Type: EventCatalog, By: by,
		Text: "catalogo " + c.Catalog + ": " + strings.Join(said, "; ")})
}

// CatalogCorrections lists every correction, by catalog and key.
func (s *Store) CatalogCorrections(ctx context.Context) ([]CatalogCorrection, error) {
	rows, err := s.r.QueryContext(ctx, s.query("catalog-correction-list"))
	if err != nil {
		return nil, fmt.Errorf("list catalog corrections: %w", err)
	}
	defer rows.Close()
	list := []CatalogCorrection{}
	for rows.Next() {
		var c CatalogCorrection
		var fields, at string
		if err := rows.Scan(&c.Catalog, &c.Key, &c.Hidden, &fields, &at, &c.UpdatedBy); err != nil {
			return nil, fmt.Errorf("read catalog correction: %w", err)
		}
		c.Fields = map[string]string{}
		if err := json.Unmarshal([]byte(fields), &c.Fields); err != nil {
			return nil, fmt.Errorf("catalog correction %s/%s: stored fields: %w", c.Catalog, c.Key, err)
		}
		c.UpdatedAt = parseTS(at)
		list = append(list, c)
	}
	return list, rows.Err()
}
