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
