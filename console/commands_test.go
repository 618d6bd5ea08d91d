package console

import (
	"bytes"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"mailbot/mailbot"
	"mailbot/ticketing"
)

// readKeys records the fields a command's FromForm reads; every field holds "x".
type readKeys map[string]bool

func (r readKeys) Get(k string) string { r[k] = true; return "x" }
func (r readKeys) Raw(k string) string { r[k] = true; return "x" }

// read lists the fields a command reads from its console form.
func read(t *testing.T, c mailbot.Command) []string {
	t.Helper()
	r := readKeys{}
	if _, _, err := c.ReadForm(r, operator); err != nil {
		t.Errorf("#%s: a form with every field filled is refused: %v", c.Name, err)
	}
	return slices.Sorted(maps.Keys(r))
}

// TestFormsMatchCommands: the console's forms are built from the command table, so each
// command's described fields must be exactly what its FromForm reads; and every form the case
// page posts to the case (the generated ones and those beside each doubt or flag) names a
// command and sends only fields that command reads. A command added to the table without a
// working form, or a form that drifts from its command, fails here.
func TestFormsMatchCommands(t *testing.T) {
	for _, c := range mailbot.Commands {
		if c.Form == "" {
			continue
		}
		var described []string
		for _, f := range c.Console.Fields {
			described = append(described, f.Name)
			if f.Label == "" || f.Input == "" {
				t.Errorf("#%s: field %q without a label or an input", c.Name, f.Name)
			}
		}
		slices.Sort(described)
		if got := read(t, c); !slices.Equal(got, described) {
			t.Errorf("#%s: the console form has fields %v, FromForm reads %v", c.Name, described, got)
		}
		if c.Console.Title == "" || c.Console.Submit == "" {
			t.Errorf("#%s: console form without a title or a button", c.Name)
		}
	}

	seen := map[string]bool{}
	for _, flagged := range []bool{false, true} {
		page := renderCase(t, fullCase(flagged))
		for _, f := range postedForms(t, page, "/pratiche/INT-2026-00001") {
			c, ok := mailbot.CommandOfForm(f.action)
			if !ok {
				t.Errorf("the case page posts azione=%q, which no staff command answers", f.action)
				continue
			}
			seen[f.action] = true
			reads := read(t, c)
			for _, name := range f.fields {
				if !slices.Contains(reads, name) {
					t.Errorf("a form of azione=%q posts %q, which #%s does not read", f.action, name, c.Name)
				}
			}
		}
	}
	for _, c := range mailbot.Commands {
		if c.Form != "" && !seen[c.Form] {
			t.Errorf("#%s has the console action %q but the case page has no form for it", c.Name, c.Form)
		}
	}
}

// fullCase is a case that is offered every action: an integration case with states to move
// to, catalogs, a value in doubt, a proposal, a held reply, a kept message, a message from a
// stranger and, when flagged, a flag.
func fullCase(flagged bool) *Case {
	tk := &ticketing.Ticket{ID: "INT-2026-00001", Kind: ticketing.KindIntegration, State: ticketing.StateAwaitingDocuments,
		Requester: referent, UpdatedAt: time.Now()}
	if flagged {
		tk.FlagKind, tk.Flag = ticketing.FlagStaff, "richiamare"
	}
	c := &Case{Ticket: tk, Version: version(tk), Next: []string{ticketing.StateTestSetup}, Catalogs: []string{"mypay"},
		Staff: []string{operator}, Doubts: []mailbot.Doubt{
			{Type: "informativa_generale", Key: "ente.codice_ipa", Label: "Codice IPA", Value: "c_l736", Settle: "informativa_generale.ente.codice_ipa"},
			{Type: "informativa_generale", Key: "ente.codice_fiscale", Label: "Codice fiscale", Value: "00339370272", Settle: "ente.codice_fiscale",
				Readings: []ticketing.Reading{{Value: "80007580279"}, {Value: "00339370272"}}}},
		Proposals: []Proposal{{Label: "IBAN di accredito", Proposal: ticketing.Proposal{TicketID: tk.ID, Seq: 1, Field: "tipi_dovuto.iban",
			Old: "IT55R0306902117100000046001", Value: "IT60X0542811101000000123456", State: ticketing.ProposalPending}}},
		Held:    []HeldReply{{OutMail: ticketing.OutMail{ID: 7, TicketID: tk.ID, Rcpts: []string{referent}}, Subject: "Re: richiesta"}},
		Kept:    []ticketing.Message{{ID: 9, Subject: "Fuori ufficio", From: referent}},
		Senders: []ticketing.SenderDoubt{{ID: 11, Subject: "Esiti", From: "tester@evil.example", Kind: ticketing.SenderDoubtStranger}}}
	c.Actions = actions(c, operator)
	return c
}

func renderCase(t *testing.T, c *Case) string {
	t.Helper()
	var b bytes.Buffer
	p := page{Title: "Pratica", Me: staff{email: operator, csrf: "c"}, Case: c, loc: time.UTC}
	if err := pages.ExecuteTemplate(&b, "case", p); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

type formPost struct {
	action string   // the azione posted
	fields []string // the other fields posted, besides csrf, versione and azione
}

// postedForms lists the forms of a page that post to path, with what each posts.
func postedForms(t *testing.T, page, path string) []*formPost {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	var out []*formPost
	var walk func(n *html.Node, f *formPost)
	walk = func(n *html.Node, f *formPost) {
		if n.Type == html.ElementNode {
			at := map[string]string{}
			for _, a := range n.Attr {
				at[a.Key] = a.Val
			}
			switch {
			case n.Data == "form":
				if at["action"] != path || at["method"] != "post" {
					return
				}
				f = &formPost{}
				out = append(out, f)
			case f != nil && (n.Data == "input" || n.Data == "select" || n.Data == "textarea" || n.Data == "button") && at["name"] != "":
				switch at["name"] {
				case "azione":
					f.action = at["value"]
				case "csrf", "versione":
				default:
					f.fields = append(f.fields, at["name"])
				}
			}
		}
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			walk(ch, f)
		}
	}
	walk(doc, nil)
	if len(out) == 0 {
		t.Fatalf("no form posts to %s:\n%s", path, page)
	}
	return out
}
