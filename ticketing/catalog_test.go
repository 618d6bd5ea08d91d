package ticketing

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestCorrectCatalog(t *testing.T) {
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	now := time.Date(2026, 3, 30, 9, 0, 0, 0, time.UTC)
	var id string
	if err := s.Update(ctx, func(tx *Tx) error {
		tk, err := tx.NewTicket(KindQualification, "Qualificazione", "a@softwarehouse.example.it", "a@softwarehouse.example.it", now, time.UTC)
		id = tk.ID
		return err
	}); err != nil {
		t.Fatal(err)
	}
	yes, no := true, false
	apply := func(c CatalogChange) error {
		return s.Update(ctx, func(tx *Tx) error { return tx.CorrectCatalog(c, "cli:staff", now) })
	}
	if err := apply(CatalogChange{Catalog: "prodotti", Key: id, Hidden: &yes}); err != nil {
		t.Fatal(err)
	}
	if err := apply(CatalogChange{Catalog: "prodotti", Key: id, Fields: map[string]string{"versione": "4.2.2"}}); err != nil {
		t.Fatal(err)
	}
	list, err := s.CatalogCorrections(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || !list[0].Hidden || list[0].Fields["versione"] != "4.2.2" || list[0].UpdatedBy != "cli:staff" {
		t.Fatalf("corrections %+v", list)
	}
	// Unhiding and dropping the only field leaves no correction at all.
	if err := apply(CatalogChange{Catalog: "prodotti", Key: id, Hidden: &no, Fields: map[string]string{"versione": ""}}); err != nil {
		t.Fatal(err)
	}
	if list, _ := s.CatalogCorrections(ctx); len(list) != 0 {
		t.Fatalf("corrections left: %+v", list)
	}
	// A change that changes nothing records nothing.
	if err := apply(CatalogChange{Catalog: "prodotti", Key: id, Hidden: &no}); err != nil {
		t.Fatal(err)
	}
	events, _ := s.Events(ctx, id)
	var texts []string
	for _, e := range events {
		if e.Type == EventCatalog {
			texts = append(texts, e.Text)
		}
	}
	want := []string{
		"catalogo prodotti: voce nascosta",
		`catalogo prodotti: versione = "4.2.2"`,
		"catalogo prodotti: voce di nuovo visibile; versione come nei moduli",
	}
	if strings.Join(texts, "\n") != strings.Join(want, "\n") {
		t.Errorf("events:\n%s\nwant:\n%s", strings.Join(texts, "\n"), strings.Join(want, "\n"))
	}
	if err := apply(CatalogChange{Catalog: "enti", Key: "INT-2026-99999", Hidden: &yes}); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown key: %v, want ErrNotFound", err)
	}
}
