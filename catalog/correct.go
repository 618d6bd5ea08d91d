package catalog

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"mailbot/ticketing"
)

// CatalogsOf lists the catalogs a case of a kind can have an entry in: a qualification gives a
// product and its process, an integration an ente.
func CatalogsOf(kind string) []string {
	switch kind {
	case ticketing.KindQualification:
		return []string{Prodotti, Processi}
	case ticketing.KindIntegration:
		return []string{Enti}
	}
	return nil
}

// Corrections turns a staff request about the entry of ticket key (of the given kind) into the
// changes to store: only limits them to one catalog ("" for every catalog of the case); hidden
// nil leaves visibility alone; each field goes to the catalogs that have it and must exist in
// one of them ("id" cannot be changed). The error says what is allowed.
func Corrections(kind, key, only string, hidden *bool, fields map[string]string) ([]ticketing.CatalogChange, error) {
	names := CatalogsOf(kind)
	if len(names) == 0 {
		return nil, fmt.Errorf("%s is a %s case: it has no catalog entry", key, kind)
	}
	if only != "" {
		if !slices.Contains(names, only) {
			return nil, fmt.Errorf("%s has no entry in the catalog %q (its catalogs: %s)", key, only, strings.Join(names, ", "))
		}
		names = []string{only}
	}
	changes := map[string]*ticketing.CatalogChange{}
	for _, n := range names {
		changes[n] = &ticketing.CatalogChange{Catalog: n, Key: key, Hidden: hidden, Fields: map[string]string{}}
	}
	fieldNames := make([]string, 0, len(fields))
	for f := range fields {
		fieldNames = append(fieldNames, f)
	}
	sort.Strings(fieldNames)
	for _, f := range fieldNames {
		found := false
		for _, n := range names {
			l := layouts[n]
			if _, ok := l.column(f); ok && f != idColumn.Field {
				changes[n].Fields[f] = fields[f]
				found = true
			}
		}
		if !found {
			var valid []string
			for _, n := range names {
				l := layouts[n]
				for _, c := range l.Columns {
					if c.Field != idColumn.Field && !slices.Contains(valid, c.Field) {
						valid = append(valid, c.Field)
					}
				}
			}
			return nil, fmt.Errorf("no field %q in the catalog entry of %s (fields: %s)", f, key, strings.Join(valid, ", "))
		}
	}
	var out []ticketing.CatalogChange
	for _, n := range names {
		c := changes[n]
		if c.Hidden == nil && len(c.Fields) == 0 {
			continue // a field edit that concerns only the other catalog
		}
		out = append(out, *c)
	}
	return out, nil
}
