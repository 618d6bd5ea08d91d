// Package catalog builds the three catalogs the Region publishes from the cases in the ticket
// store: qualified products, accompaniment processes, and the enti that use qualified
// products. It writes them as JSON, CSV and accessible HTML and serves them read-only.
//
// Only public summary data leaves this package: names of products, companies, enti and
// processes, partite IVA, codici IPA, services and dates. Never contacts, e-mail or IP
// addresses, credentials: free text from the forms is scrubbed of addresses (see clean).
package catalog

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"mailbot/parsers"
	"mailbot/templates/say"
	"mailbot/ticketing"
)

// Catalog names: also the base names of the files written.
const (
	Prodotti = "prodotti"
	Processi = "processi"
	Enti     = "enti"
)

// Names lists the catalogs in the order they are shown.
var Names = []string{Prodotti, Processi, Enti}

// Kinds of column value.
const (
	Text = "text"
	List = "list" // a list of strings; "; " between items in CSV and HTML
	Date = "date" // YYYY-MM-DD in the configured time zone
)

// Column is one field of a catalog's entries.
type Column struct {
	Field string // JSON key and CSV header
	Label string // Italian, the HTML column header
	Kind  string
}

// Entry is one item of a catalog. Key is the ticket it comes from: staff name it to hide or
// correct the entry.
type Entry struct {
	Key    string
	Values map[string]any // string, or []string for List columns
}

// Text returns a field as text, a list's items joined with "; ".
func (e Entry) Text(field string) string {
	switch v := e.Values[field].(type) {
	case string:
		return v
	case []string:
		return strings.Join(v, "; ")
	}
	return ""
}

// Catalog is one published list.
type Catalog struct {
	Name    string
	Title   string // Italian page title
	Intro   string // Italian, one sentence under the title
	Columns []Column
	Entries []Entry
}

// Set is the three catalogs as of one instant.
type Set struct {
	GeneratedAt time.Time
	Loc         *time.Location // where dates are days; pages show times in it
	Catalogs    []*Catalog     // in Names order
}

// Get returns a catalog by name, or nil.
func (s *Set) Get(name string) *Catalog {
	for _, c := range s.Catalogs {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// maxFasi bounds the phases of a process: the catalog gives them in brief.
const maxFasi = 280

// idColumn comes first in every catalog: the ticket an entry comes from.
var idColumn = Column{Field: "id", Label: "Pratica", Kind: Text}

// layouts describes each catalog; the JSON Schema in docs/catalog.schema.json follows it.
var layouts = map[string]Catalog{
	Prodotti: {
		Name:  Prodotti,
		Title: say.Text("catalog.prodotti.title"),
		Intro: say.Text("catalog.prodotti.intro"),
		Columns: []Column{idColumn,
			{"prodotto", "Prodotto", Text},
			{"versione", "Versione", Text},
			{"azienda", "Azienda", Text},
			{"partita_iva", "Partita IVA", Text},
			{"servizi", "Servizi", List},
			{"funzionalita", "Funzionalità e web services", List},
			{"ente_pilota", "Ente pilota", Text},
			{"qualificato_il", "Qualificato il", Date},
		},
	},
	Processi: {
		Name:  Processi,
		Title: say.Text("catalog.processi.title"),
		Intro: say.Text("catalog.processi.intro"),
		Columns: []Column{idColumn,
			{"processo", "Processo", Text},
			{"azienda", "Azienda", Text},
			{"fasi", "Fasi", Text},
			{"prodotti", "Prodotti coinvolti", List},
		},
	},
	Enti: {
		Name:  Enti,
		Title: say.Text("catalog.enti.title"),
		Intro: say.Text("catalog.enti.intro"),
		Columns: []Column{idColumn,
			{"ente", "Ente", Text},
			{"codice_ipa", "Codice IPA", Text},
			{"prodotto", "Prodotto", Text},
			{"servizi", "Servizi", List},
			{"attivo_dal", "Attivo dal", Date},
		},
	},
}

// column returns a catalog's column by field.
func (c *Catalog) column(field string) (Column, bool) {
	for _, col := range c.Columns {
		if col.Field == field {
			return col, true
		}
	}
	return Column{}, false
}

// Source is what the catalogs are built from; *ticketing.Store is one.
type Source interface {
	Tickets(ctx context.Context) ([]ticketing.Ticket, error)
	Events(ctx context.Context, id string) ([]ticketing.Event, error)
	Forms(ctx context.Context, ticketID string) ([]ticketing.Form, error)
	CatalogCorrections(ctx context.Context) ([]ticketing.CatalogCorrection, error)
}

// Build reads the cases and staff's corrections and assembles the catalogs; dates are days in
// loc, now is recorded as the time of generation.
//
// Products: qualification cases in state qualified, from their Qualificazione Prodotto form,
// qualified on the day the case reached qualified. Processes: the Qualificazione Processo forms
// of the same cases only, since the Region publishes a company's process together with its
// qualified product, not while the product is still under review. Enti: integration cases
// completed whose Qualificazione Ente-Prodotto names (case-insensitively) a product of the
// published products catalog, as originally named or as corrected; hiding every entry of a
// product hides its enti too. One entry per ente and product, the first to go live.
func Build(ctx context.Context, src Source, now time.Time, loc *time.Location) (*Set, error) {
	tickets, err := src.Tickets(ctx)
	if err != nil {
		return nil, fmt.Errorf("build catalogs: %w", err)
	}
	list, err := src.CatalogCorrections(ctx)
	if err != nil {
		return nil, fmt.Errorf("build catalogs: %w", err)
	}
	fixes := map[string]map[string]ticketing.CatalogCorrection{}
	for _, c := range list {
		if fixes[c.Catalog] == nil {
			fixes[c.Catalog] = map[string]ticketing.CatalogCorrection{}
		}
		fixes[c.Catalog][c.Key] = c
	}
	set := &Set{GeneratedAt: now.UTC().Truncate(time.Second), Loc: loc}
	cats := map[string]*Catalog{}
	for _, name := range Names {
		l := layouts[name]
		cats[name] = &Catalog{Name: name, Title: l.Title, Intro: l.Intro, Columns: l.Columns, Entries: []Entry{}}
		set.Catalogs = append(set.Catalogs, cats[name])
	}
	day := func(t time.Time) string { return t.In(loc).Format("2006-01-02") }

	// qualified maps a product name as the forms and corrections write it (lower case) to the
	// name published.
	qualified := map[string]string{}
	for _, tk := range tickets {
		if tk.Kind != ticketing.KindQualification || tk.State != ticketing.StateQualified {
			continue
		}
		forms, err := src.Forms(ctx, tk.ID)
		if err != nil {
			return nil, fmt.Errorf("build catalogs: %w", err)
		}
		// The case file merged field by field: a partial form never hides a complete one.
		latest := ticketing.Merge(forms, ticketing.MergeOptions{}).Forms
		qp, ok := latest[parsers.FormQualificazioneProdotto]
		if !ok {
			continue // a case moved to qualified by hand without its form: nothing to publish
		}
		at, err := reached(ctx, src, tk, ticketing.StateQualified)
		if err != nil {
			return nil, err
		}
		services := qp.List(parsers.KeyServizi)
		if len(services) == 0 {
			services = tk.Services
		}
		p := Entry{Key: tk.ID, Values: map[string]any{
			"id":             tk.ID,
			"prodotto":       clean(qp.Field(parsers.KeyProdottoNome)),
			"versione":       clean(qp.Field(parsers.KeyProdottoVersione)),
			"azienda":        clean(qp.Field(parsers.KeyAziendaRagioneSociale)),
			"partita_iva":    clean(qp.Field(parsers.KeyAziendaPartitaIva)),
			"servizi":        cleanList(services),
			"funzionalita":   cleanFreeList(qp.List(parsers.KeyProdottoFunzionalita)),
			"ente_pilota":    clean(qp.Field(parsers.KeyEntePilotaDenominazione)),
			"qualificato_il": day(at),
		}}
		original := p.Text("prodotto")
		if p, ok = correct(cats[Prodotti], p, fixes[Prodotti][tk.ID]); ok {
			cats[Prodotti].Entries = append(cats[Prodotti].Entries, p)
			name := p.Text("prodotto")
			qualified[strings.ToLower(original)] = name
			qualified[strings.ToLower(name)] = name
		}

		if qpr, ok := latest[parsers.FormQualificazioneProcesso]; ok {
			company := qpr.Field(parsers.KeyAziendaRagioneSociale)
			if company == "" {
				company = qp.Field(parsers.KeyAziendaRagioneSociale)
			}
			products := qpr.List(parsers.KeyProcessoProdotti)
			if len(products) == 0 {
				products = []string{qp.Field(parsers.KeyProdottoNome)}
			}
			pr := Entry{Key: tk.ID, Values: map[string]any{
				"id":       tk.ID,
				"processo": clean(qpr.Field(parsers.KeyProcessoNome)),
				"azienda":  clean(company),
				"fasi":     brief(cleanFree(qpr.Field(parsers.KeyProcessoFasi)), maxFasi),
				"prodotti": cleanList(products),
			}}
			if pr, ok := correct(cats[Processi], pr, fixes[Processi][tk.ID]); ok {
				cats[Processi].Entries = append(cats[Processi].Entries, pr)
			}
		}
	}
	delete(qualified, "")

	seen := map[string]bool{}
	for _, tk := range tickets {
		if tk.Kind != ticketing.KindIntegration || tk.State != ticketing.StateCompleted {
			continue
		}
		forms, err := src.Forms(ctx, tk.ID)
		if err != nil {
			return nil, fmt.Errorf("build catalogs: %w", err)
		}
		qep, ok := ticketing.Merge(forms, ticketing.MergeOptions{}).Forms[parsers.FormQualificazioneEnteProdotto]
		if !ok {
			continue
		}
		product, ok := qualified[strings.ToLower(clean(qep.Field(parsers.KeyProdottoNome)))]
		if !ok {
			continue
		}
		at, err := reached(ctx, src, tk, ticketing.StateCompleted)
		if err != nil {
			return nil, err
		}
		name, ipa := tk.Ente.Name, tk.Ente.CodiceIPA
		if name == "" {
			name = qep.Field(parsers.KeyEnteDenominazione)
		}
		if ipa == "" {
			ipa = qep.Field(parsers.KeyEnteCodiceIpa)
		}
		services := tk.Services
		if len(services) == 0 {
			services = qep.List(parsers.KeyServizi)
		}
		e := Entry{Key: tk.ID, Values: map[string]any{
			"id":         tk.ID,
			"ente":       clean(name),
			"codice_ipa": clean(ipa),
			"prodotto":   product,
			"servizi":    cleanList(services),
			"attivo_dal": day(at),
		}}
		if e, ok = correct(cats[Enti], e, fixes[Enti][tk.ID]); ok {
			cats[Enti].Entries = append(cats[Enti].Entries, e)
		}
	}
	// One entry per ente and product: the one live first (ties by ticket).
	es := cats[Enti].Entries
	sort.SliceStable(es, func(i, j int) bool {
		if a, b := es[i].Text("attivo_dal"), es[j].Text("attivo_dal"); a != b {
			return a < b
		}
		return es[i].Key < es[j].Key
	})
	cats[Enti].Entries = slices.DeleteFunc(es, func(e Entry) bool {
		who := strings.ToLower(e.Text("codice_ipa"))
		if who == "" {
			who = strings.ToLower(e.Text("ente"))
		}
		k := who + "\x00" + strings.ToLower(e.Text("prodotto"))
		dup := seen[k]
		seen[k] = true
		return dup
	})

	sortBy(cats[Prodotti], "prodotto", "versione")
	sortBy(cats[Processi], "processo", "azienda")
	sortBy(cats[Enti], "ente", "prodotto")
	return set, nil
}

// reached returns when a ticket last entered a state, from its state events; a ticket without
// one (moved by hand in the database) falls back to the start of its current state.
func reached(ctx context.Context, src Source, tk ticketing.Ticket, state string) (time.Time, error) {
	events, err := src.Events(ctx, tk.ID)
	if err != nil {
		return time.Time{}, fmt.Errorf("build catalogs: %w", err)
	}
	at := tk.StateSince
	for _, e := range events {
		if e.Type == ticketing.EventState && strings.Contains(e.Text, "→ "+state) {
			at = e.At
		}
	}
	return at, nil
}

// correct applies staff's correction to an entry; ok is false when the entry is hidden.
func correct(c *Catalog, e Entry, fix ticketing.CatalogCorrection) (Entry, bool) {
	if fix.Hidden {
		return e, false
	}
	for field, v := range fix.Fields {
		col, ok := c.column(field)
		if !ok || field == "id" {
			continue // a field no longer published
		}
		switch {
		case col.Kind == List:
			e.Values[field] = splitList(v)
		case field == "fasi":
			e.Values[field] = brief(clean(v), maxFasi)
		default:
			e.Values[field] = clean(v)
		}
	}
	return e, true
}

func sortBy(c *Catalog, fields ...string) {
	sort.SliceStable(c.Entries, func(i, j int) bool {
		for _, f := range fields {
			a, b := strings.ToLower(c.Entries[i].Text(f)), strings.ToLower(c.Entries[j].Text(f))
			if a != b {
				return a < b
			}
		}
		return c.Entries[i].Key < c.Entries[j].Key
	})
}

// splitList reads a list as staff write it on the command line: items separated by ";" (or
// ",", when there is no ";").
func splitList(v string) []string {
	sep := ";"
	if !strings.Contains(v, ";") {
		sep = ","
	}
	return cleanList(strings.Split(v, sep))
}
