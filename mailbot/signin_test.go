package mailbot

import (
	"strings"
	"testing"

	"mailbot/templates"
)

// TestGoldenSignInMail renders the web console's sign-in mail, as sent and as kept.
func TestGoldenSignInMail(t *testing.T) {
	link := "https://assistenza.regione.veneto.it/console/accesso/entra?t=TOKEN"
	for _, c := range []struct{ golden, link string }{{"console_link.txt", link}, {"console_link-kept.txt", redactionMark}} {
		body, err := templates.Render("console_link", struct{ Link, Expires string }{c.link, "09:27 del 26/11/2026"})
		if err != nil {
			t.Fatal(err)
		}
		if c.link == redactionMark && strings.Contains(body.Text+body.HTML, "TOKEN") {
			t.Error("the kept copy holds the link")
		}
		golden(t, c.golden, []byte(body.Text))
	}
}

// TestGoldenStaffMessage renders a staff member's free-text answer to a referent.
func TestGoldenStaffMessage(t *testing.T) {
	body, err := templates.Render("staff_message", struct{ TicketID, Text string }{"INT-2026-00042",
		"Gentile referente,\nabbiamo ricevuto i moduli: manca la firma sulla seconda pagina.\n<b>non è HTML</b>"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(body.HTML, "&lt;b&gt;non è HTML&lt;/b&gt;") {
		t.Errorf("the text became markup:\n%s", body.HTML)
	}
	golden(t, "staff_message.txt", []byte(body.Text))
}
