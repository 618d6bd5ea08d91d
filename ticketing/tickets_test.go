package ticketing

import (
	"context"
	"testing"
	"time"
)

// TestEventMarksTicketUpdated: a case's last update is its latest event's instant (the console
// and the digest sort and age cases by it), whoever added the event.
func TestEventMarksTicketUpdated(t *testing.T) {
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	opened := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	later := opened.Add(90 * time.Minute)
	var id string
	err = s.Update(ctx, func(tx *Tx) error {
		tk, err := tx.NewTicket(KindIntegration, "Richiesta", "a@comune.example.it", "a@comune.example.it", opened, time.UTC)
		if err != nil {
			return err
		}
		id = tk.ID
		return tx.AddEvent(id, Event{At: later, Type: EventMessage, By: "a@comune.example.it", Text: "nota"})
	})
	if err != nil {
		t.Fatal(err)
	}
	tk, err := s.Ticket(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if !tk.UpdatedAt.Equal(later) || !tk.CreatedAt.Equal(opened) {
		t.Errorf("created %s, updated %s; want created %s, updated at the event, %s", tk.CreatedAt, tk.UpdatedAt, opened, later)
	}
}
