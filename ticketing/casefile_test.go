package ticketing

import (
	"context"
	"reflect"
	"testing"
	"time"
)

// TestFormsOfNewCaseAsStored: the forms of a case opened in the transaction are read there
// without their rows (Tx.opened), and must be what the rows give, to the last type: a list of
// text decoded from JSON is a []any, an empty list is not a missing one, text JSON cannot keep
// (not UTF-8) and values of other types are as JSON leaves them, the received instant is UTC.
func TestFormsOfNewCaseAsStored(t *testing.T) {
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	at := time.Date(2026, 12, 7, 10, 0, 0, 123456789, time.FixedZone("CET", 3600))
	forms := []Form{
		{MessageID: "m1@comune.example.it", Type: "informativa_generale", Source: "corpo del messaggio", ReceivedAt: at,
			Fields: map[string]any{"ente.denominazione": "Comune di Prova «è»", "servizi": []string{"MyPay", "MyPivot"},
				"vuota": []string{}, "nessuna": []string(nil), "si": true, "<&>": "a<b>&c\u2028"},
			Provenance: map[string]Provenance{"ente.denominazione": {Document: "corpo del messaggio", How: HowBody, Sure: true},
				"servizi": {Document: "lettera.pdf", Where: "pagina 1", Label: "Servizi", How: "layout", Doubt: "forse", Vouched: VouchAuth}},
			Problems: []Problem{{Field: "ente.codice_fiscale", Value: "123", Message: "non valido"}}},
		{MessageID: "m1@comune.example.it", Source: "corpo del messaggio", ReceivedAt: at, Fields: map[string]any{"nota": "x"}},
		{MessageID: "m1@comune.example.it", Type: "esiti_collaudo", ReceivedAt: at, Fields: map[string]any{"numero": 3, "rotto": "a\xffb"}},
		{MessageID: "m1@comune.example.it", Type: "qualificazione_ente_prodotto", ReceivedAt: at,
			Fields: map[string]any{"lista": []any{"a", "b"}, "\xfe": "chiave"}},
		{MessageID: "m1@comune.example.it", Type: "vuoto", ReceivedAt: at},
	}
	for n := range len(forms) + 1 {
		var id string
		var inTx []Form
		err = s.Update(ctx, func(tx *Tx) error {
			tk, err := tx.NewTicket(KindIntegration, "Richiesta", "a@comune.example.it", "a@comune.example.it", at, time.UTC)
			if err != nil {
				return err
			}
			id = tk.ID
			for _, f := range forms[:n] {
				if err := tx.AddForm(id, f); err != nil {
					return err
				}
			}
			if inTx, err = tx.Forms(id); err != nil {
				return err
			}
			if n > 0 { // the caller changing what it got changes nothing
				inTx[0].Fields["aggiunto"] = "x"
				inTx[0].Provenance["aggiunto"] = Provenance{}
			}
			inTx, err = tx.Forms(id)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		stored, err := s.Forms(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(inTx, stored) {
			t.Errorf("%d forms: read in the transaction\n%#v\nread from the rows\n%#v", n, inTx, stored)
		}
	}
}
