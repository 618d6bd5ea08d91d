package mailbot

import (
	"os"
	"strings"
	"testing"
	"time"
)

// commandsTable is the README's table of staff commands, as Commands says it.
func commandsTable() string {
	var b strings.Builder
	b.WriteString("| by mail | CLI: `mailbot ticket` | console | who | what it does |\n|---|---|---|---|---|\n")
	for _, c := range Commands {
		verb, form := "–", "–"
		if c.Verb != "" {
			verb = "`" + c.Verb + "`"
		}
		if c.Form != "" {
			form = "`" + c.Form + "`"
		}
		b.WriteString("| `" + strings.ReplaceAll(c.Syntax(), "|", `\|`) + "` | " + verb + " | " + form + " | " + string(c.Who) + " | " + c.Help + " |\n")
	}
	return b.String()
}

// TestREADMECommands: the README's table of staff commands is the table mail, CLI and console
// run from (go test ./mailbot -run READMECommands -update rewrites it).
func TestREADMECommands(t *testing.T) {
	const begin, end = "<!-- staff commands: generated from mailbot/commands.go -->\n", "<!-- end of staff commands -->"
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	i, j := strings.Index(readme, begin), strings.Index(readme, end)
	if i < 0 || j < i {
		t.Fatalf("README.md lacks the markers %q and %q around the table of staff commands", begin, end)
	}
	got, want := readme[i+len(begin):j], commandsTable()
	if got == want {
		return
	}
	if *update {
		if err := os.WriteFile("../README.md", []byte(readme[:i+len(begin)]+want+readme[j:]), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("README's staff commands differ from mailbot.Commands (run with -update):\n--- README\n%s--- Commands\n%s", got, want)
}

// TestCommandsTable: every command can be run by mail and names its handler; mail names, CLI
// verbs and console actions are each unique, so no two commands answer to one word.
func TestCommandsTable(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range Commands {
		if c.run == nil || c.Help == "" || c.Who == "" {
			t.Errorf("#%s: handler, help and who are required", c.Name)
		}
		for _, k := range []string{"mail:" + c.Name, "cli:" + c.Verb, "form:" + c.Form} {
			if strings.HasSuffix(k, ":") {
				continue
			}
			if seen[k] {
				t.Errorf("%s used by two commands", k)
			}
			seen[k] = true
		}
		if c.Name != strings.ToLower(c.Name) || strings.ContainsAny(c.Name, " #") {
			t.Errorf("#%s: a mail name is one lower-case word", c.Name)
		}
	}
}

// TestUnknownCommandListsAll: the refusal of an unknown command names every command.
func TestUnknownCommandListsAll(t *testing.T) {
	in := &Intake{}
	_, err := in.apply(nil, nil, command{name: "boh"}, "x", time.Time{})
	if err == nil {
		t.Fatal("unknown command accepted")
	}
	for _, c := range Commands {
		if !strings.Contains(err.Error(), "#"+c.Name) {
			t.Errorf("refusal %q does not name #%s", err, c.Name)
		}
	}
}
