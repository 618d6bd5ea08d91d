package console

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"mailbot/mailbot"
)

// azioneRE finds the actions the case page's forms post.
var azioneRE = regexp.MustCompile(`name="azione" value="([a-z_]+)"`)

// TestFormsMatchCommands: every action the case page posts is a staff command of the table, and
// every command with a console action has its form, so the page and mailbot.Commands cannot drift.
func TestFormsMatchCommands(t *testing.T) {
	_, page, ok := strings.Cut(pagesTmpl, `{{define "case"}}`)
	if !ok {
		t.Fatal(`pages.html.tmpl has no {{define "case"}}`)
	}
	page, _, _ = strings.Cut(page, "{{define ")
	var posted []string
	for _, m := range azioneRE.FindAllStringSubmatch(page, -1) {
		posted = append(posted, m[1])
	}
	if len(posted) == 0 {
		t.Fatal("no action found in pages.html.tmpl")
	}
	for _, a := range posted {
		if _, ok := mailbot.CommandOfForm(a); !ok {
			t.Errorf("the case page posts azione=%q, which no staff command answers", a)
		}
	}
	for _, c := range mailbot.Commands {
		if c.Form != "" && !slices.Contains(posted, c.Form) {
			t.Errorf("#%s has the console action %q but the case page has no form for it", c.Name, c.Form)
		}
	}
}
