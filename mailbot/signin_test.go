package mailbot

import (
	"strings"
	"testing"

	"mailbot/templates"
	"mailbot/ticketing"
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

// TestStaffMailLinksToConsole: with [console] public_url, staff mail points to the case's page
// in the console (a link in the HTML part), else to the command that shows it.
func TestStaffMailLinksToConsole(t *testing.T) {
	cfg := &Config{}
	if got := cfg.caseRef("INT-2026-00042"); got != "mailbot tickets show INT-2026-00042" {
		t.Errorf("without console: %q", got)
	}
	cfg.Console.PublicURL = "https://assistenza.regione.veneto.it/console"
	url := "https://assistenza.regione.veneto.it/console/pratiche/INT-2026-00042"
	if got := cfg.caseRef("INT-2026-00042"); got != url {
		t.Errorf("with console: %q", got)
	}
	tk := &ticketing.Ticket{ID: "INT-2026-00042", State: ticketing.StateTestSetup}
	for _, name := range []string{"staff_notice", "staff_result", "security_warning", "sender_unknown"} {
		body, err := templates.Render(name, staffData{TicketID: tk.ID, Ticket: tk, Show: url})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(body.HTML, `<a href="`+url+`">`) || !strings.Contains(body.Text, url) {
			t.Errorf("%s: no link to the console", name)
		}
	}
	body, err := templates.Render("escalation", escalationData{TicketID: tk.ID, Show: url})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(body.HTML, `<a href="`+url+`">`) || !strings.Contains(body.Text, url) {
		t.Error("escalation: no link to the console")
	}
	body, err = templates.Render("digest", digestData{Console: true, Stalled: []digestCase{{ID: tk.ID, URL: url}}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(body.HTML, `<a href="`+url+`">INT-2026-00042</a>`) || !strings.Contains(body.Text, url) || strings.Contains(body.Text, "mailbot tickets show") {
		t.Errorf("digest: no link to the console:\n%s", body.Text)
	}
}
