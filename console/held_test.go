package console

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"mailbot/internal/wait"
	"mailbot/ticketing"
)

// TestHeldPage: a reply an hourly cap held back is listed; sent from the page it reaches its
// recipient; a second press finds it gone; a dropped one leaves the list.
func TestHeldPage(t *testing.T) {
	e := start(t, "01-richiesta-venezia.eml")
	list, _ := e.d.Store.Tickets(context.Background())
	id := list[0].ID
	hold := func(n string) {
		raw := "From: " + e.cfg.ReplyFrom + "\r\nTo: " + referent + "\r\nSubject: [" + id + "] Risposta trattenuta " + n +
			"\r\nMessage-ID: <held-" + n + "@regione.veneto.it>\r\nDate: Mon, 23 Nov 2026 10:00:00 +0100\r\nContent-Type: text/plain\r\n\r\nTesto " + n + ".\r\n"
		err := e.d.Store.Update(context.Background(), func(tx *ticketing.Tx) error {
			m := &ticketing.OutMail{TicketID: id, MessageID: "held-" + n + "@regione.veneto.it", Kind: "ack", From: "call.center@regione.veneto.it",
				Rcpts: []string{referent}, Raw: []byte(raw), Auto: true}
			if err := tx.Enqueue(m, time.Now()); err != nil {
				return err
			}
			return tx.HoldOutbox(m.ID, "201 risposte automatiche nell'ultima ora (limite complessivo 200)")
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	hold("uno")
	hold("due")
	c := e.client()
	c.signIn(c.mailedLink(operator))
	_, page := c.do("GET", "/risposte-trattenute", nil)
	forms := regexp.MustCompile(`action="(/risposte-trattenute/\d+)"`).FindAllStringSubmatch(page, -1)
	if len(forms) != 2 || !strings.Contains(page, "limite complessivo 200") || !strings.Contains(page, `href="/pratiche/`+id+`"`) {
		t.Fatalf("held page:\n%s", page)
	}
	csrf := field(csrfRE, page)
	before := len(e.l.DeliveredTo(referent))
	if _, body := c.do("POST", forms[0][1], url.Values{"azione": {"invia"}, "csrf": {csrf}}); !strings.Contains(body, "Fatto: risposta ack a "+referent+" inviata") {
		t.Errorf("release:\n%s", body)
	}
	wait.For(t, "the released reply", func() bool {
		for _, d := range e.l.DeliveredTo(referent)[before:] {
			if strings.Contains(string(d.Raw), "Testo uno.") {
				return true
			}
		}
		return false
	})
	if _, body := c.do("POST", forms[0][1], url.Values{"azione": {"invia"}, "csrf": {csrf}}); !strings.Contains(body, "già inviata o scartata") {
		t.Errorf("second release:\n%s", body)
	}
	if _, body := c.do("POST", forms[1][1], url.Values{"azione": {"scarta"}, "csrf": {csrf}}); !strings.Contains(body, "scartata") || !strings.Contains(body, "Nessuna risposta trattenuta") {
		t.Errorf("drop:\n%s", body)
	}
}
