package mailbot

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"mailbot/catalog"
	"mailbot/templates/say"
	"mailbot/ticketing"
)

// correctCatalog is "#catalogo [CATALOGO] [nascondi|mostra] [campo=valore ...]": the case's
// entries in the public catalogs hidden, shown again or corrected, as `mailbot catalog
// hide|unhide|edit` does. Fields may come in c.values instead (the console's form). Like every
// staff action it runs in the action's transaction, after the stale check.
func (in *Intake) correctCatalog(tx *ticketing.Tx, tk *ticketing.Ticket, c command, by, line string, now time.Time) (string, error) {
	rest := strings.TrimSpace(c.arg)
	var only string
	var hidden *bool
	for range 2 {
		word, after, _ := strings.Cut(rest, " ")
		switch w := strings.ToLower(word); {
		case slices.Contains(catalog.CatalogsOf(tk.Kind), w) && only == "":
			only = w
		case (w == "nascondi" || w == "mostra") && hidden == nil:
			h := w == "nascondi"
			hidden = &h
		default:
			continue
		}
		rest = strings.TrimSpace(after)
	}
	_, fields := parseFieldArgs(rest)
	for k, v := range c.values {
		fields[k] = v
	}
	if hidden == nil && len(fields) == 0 {
		return "", refusal("refuse.catalog_usage", line)
	}
	changes, err := catalog.Corrections(tk.Kind, tk.ID, only, hidden, fields)
	if err != nil {
		return "", refusal("refuse.not_done", line, err)
	}
	var names []string
	for _, ch := range changes {
		if err := tx.CorrectCatalog(ch, by, now); err != nil {
			return "", fmt.Errorf("catalog correction: %w", err)
		}
		names = append(names, ch.Catalog)
	}
	return say.Text("catalog.corrected", line, strings.Join(names, ", ")), nil
}
