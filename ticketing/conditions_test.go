package ticketing

import (
	"context"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestConditionKindsMigration: rows written before kinds existed get the kind their text
// meant, so a stalled case keeps being treated as stalled, a dismissed message stays off the
// quarantine list and the security warning's throttle still sees the last warning.
func TestConditionKindsMigration(t *testing.T) {
	dir := t.TempDir()
	db := dbBefore(t, dir, "_condition_kinds.sql")
	at := "2026-11-23T10:00:00Z"
	flags := map[string]FlagKind{
		"stalled: nessuna risposta dopo 3 solleciti":                           FlagStalled,
		"dati da verificare: letture incerte o valori in conflitto nei moduli": FlagChecking,
		"allegati non leggibili: informativa.jpg":                              FlagUnreadable,
		"risposta automatica non inviata (limite orario): rispondere a mano":   FlagHeld,
		"mittente non presente nella pratica: altro@example.com":               FlagStranger,
		"messaggio da leggere durante il collaudo":                             FlagUnclear,
		"richiamare il referente":                                              FlagStaff,
		"":                                                                     FlagNone,
	}
	i := 0
	wantFlag := map[string]FlagKind{}
	for text, k := range flags {
		i++
		wantFlag[fmt.Sprintf("INT-2026-%05d", i)] = k
		if _, err := db.Exec(`INSERT INTO tickets (id, kind, state, subject, requester, flag, state_since, created_at, updated_at)
			VALUES (?, 'integration', 'awaiting_documents', 's', 'r@example.com', ?, ?, ?, ?)`, fmt.Sprintf("INT-2026-%05d", i), text, at, at, at); err != nil {
			t.Fatal(err)
		}
	}
	quarantine := map[string]QuarantineKind{
		"unreadable message: mail: malformed header":                                        QuarantineUnreadable,
		"automatic message matching no ticket: Auto-Submitted: auto-replied":                QuarantineAutomatic,
		"automatic message matching no ticket: loop header on mail mailbot did not send":    QuarantineLoop,
		"message of 40000000 bytes is over the limit of 25000000 bytes":                     QuarantineOversize,
		"staff message matching no ticket":                                                  QuarantineStaffUnmatched,
		"sender address cannot be answered: no @":                                           QuarantineUnanswerable,
		"not recorded after 5 attempts: disk full":                                          QuarantineUnrecorded,
		"scartato: da a@regione.veneto.it il 2026-11-23T10:00:00Z – staff message matching": QuarantineDismissed,
		"something older": QuarantineOther,
		"":                QuarantineNone,
	}
	for text := range quarantine {
		i++
		if _, err := db.Exec(`INSERT INTO messages (direction, message_id, digest, quarantine, received_at) VALUES ('in', ?, 'd', ?, ?)`,
			fmt.Sprintf("m%d@example.com", i), text, at); err != nil {
			t.Fatal(err)
		}
	}
	for _, text := range []string{
		"comandi rifiutati (2): messaggio non autenticato, DKIM fail; staff avvisati",
		"comandi rifiutati (1): messaggio non autenticato, DKIM fail; avviso allo staff già inviato",
	} {
		if _, err := db.Exec(`INSERT INTO events (ticket_id, at, type, by, text) VALUES ('INT-2026-00001', ?, 'security', 'x@regione.veneto.it', ?)`, at, text); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	tickets, err := s.Tickets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, tk := range tickets {
		if want := wantFlag[tk.ID]; tk.FlagKind != want {
			t.Errorf("flag %q: kind %q, want %q", tk.Flag, tk.FlagKind, want)
		}
		if tk.FlagKind == FlagStalled && tk.Flag != "nessuna risposta dopo 3 solleciti" {
			t.Errorf("stalled flag's text %q, want it without the English prefix", tk.Flag)
		}
	}
	held, err := s.Quarantined(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range held {
		if want := quarantine[m.Quarantine]; m.QuarantineKind != want {
			t.Errorf("quarantine %q: kind %q, want %q", m.Quarantine, m.QuarantineKind, want)
		}
	}
	if len(held) != len(quarantine)-1 {
		t.Errorf("%d quarantined, want %d", len(held), len(quarantine)-1)
	}
	if q, err := s.QuarantineQueue(ctx); err != nil || len(q) != len(quarantine)-2 {
		t.Errorf("quarantine queue: %d messages (%v), want all but the dismissed one", len(q), err)
	}
	events, err := s.Events(ctx, "INT-2026-00001")
	if err != nil {
		t.Fatal(err)
	}
	want := []Event{{Kind: SecurityRefusedWarned, Count: 2, Window: time.Hour}, {Kind: SecurityRefusedQuiet, Count: 1, Window: time.Hour}}
	var got []Event
	for _, e := range events {
		if e.Type == EventSecurity {
			got = append(got, Event{Kind: e.Kind, Count: e.Count, Window: e.Window})
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("security events %v, want %v", got, want)
	}
}

// TestFlagKinds: a flag is set with a known kind and cleared whole; an unknown kind is refused.
func TestFlagKinds(t *testing.T) {
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	ctx := context.Background()
	var id string
	if err := s.Update(ctx, func(tx *Tx) error {
		tk, err := tx.NewTicket(KindIntegration, "s", "r@example.com", "test", now, time.UTC)
		if err != nil {
			return err
		}
		id = tk.ID
		return tx.SetFlag(id, FlagStalled, "nessuna risposta", "mailbot", now)
	}); err != nil {
		t.Fatal(err)
	}
	if tk, _ := s.Ticket(ctx, id); tk.FlagKind != FlagStalled || tk.Flag != "nessuna risposta" {
		t.Errorf("flag %q %q", tk.FlagKind, tk.Flag)
	}
	if list, _, err := s.Queue(ctx, QueueQuery{Pairs: []string{KindIntegration + "/" + StateAwaitingDocuments}, Assignee: "*", Flagged: true, Limit: 10}); err != nil || len(list) != 1 {
		t.Errorf("flagged queue: %d (%v), want 1", len(list), err)
	}
	err = s.Update(ctx, func(tx *Tx) error { return tx.SetFlag(id, "made-up", "x", "test", now) })
	if err == nil {
		t.Error("unknown flag kind accepted")
	}
	if err := s.Update(ctx, func(tx *Tx) error { return tx.ClearFlag(id, "test", "fatto", now) }); err != nil {
		t.Fatal(err)
	}
	if tk, _ := s.Ticket(ctx, id); tk.FlagKind != FlagNone || tk.Flag != "" {
		t.Errorf("after clearing: flag %q %q", tk.FlagKind, tk.Flag)
	}
	for _, k := range FlagKinds() {
		if k.Label() == string(k) {
			t.Errorf("flag kind %q has no label for people", k)
		}
	}
}

// proseColumns hold text for people: no query may decide anything by matching their wording.
var proseColumns = regexp.MustCompile(`(?i)\b(?:\w+\.)?(text|flag|quarantine|auto)\s+(?:NOT\s+)?(?:LIKE|GLOB)\b`)

// TestNoQueryMatchesProse: behaviour must not hang on Italian wording. A query that matches an
// event's, flag's or quarantine's text with LIKE or GLOB fails here; use the kind columns.
// (Migrations may: converting the rows written before kinds existed is their job.)
func TestNoQueryMatchesProse(t *testing.T) {
	files, err := fs.Glob(sqlFS, "queries*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("no queries (%v)", err)
	}
	for _, f := range files {
		b, err := sqlFS.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for n, line := range strings.Split(string(b), "\n") {
			if code, _, _ := strings.Cut(line, "--"); proseColumns.MatchString(code) {
				t.Errorf("%s:%d matches prose: %s", f, n+1, strings.TrimSpace(line))
			}
		}
	}
}

// TestNoCodeReadsFlagText: no production code decides by the wording of a flag or a quarantine
// reason: strings.HasPrefix(tk.Flag, ...) and the like fail here; compare the kind. Tests may
// look into the text: what a person reads is theirs to check.
func TestNoCodeReadsFlagText(t *testing.T) {
	root := ".."
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("repository root not found: %v", err)
	}
	inspect := map[string]bool{"HasPrefix": true, "HasSuffix": true, "Contains": true, "Index": true,
		"Cut": true, "CutPrefix": true, "TrimPrefix": true, "EqualFold": true, "Fields": true, "Split": true}
	fset := token.NewFileSet()
	files := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || d.Name() == "node_modules" || strings.HasPrefix(d.Name(), ".") && path != root) {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		files++
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			fn, ok := call.Fun.(*ast.SelectorExpr)
			if pkg, isIdent := fnPkg(fn); !ok || !isIdent || pkg != "strings" || !inspect[fn.Sel.Name] {
				return true
			}
			for _, a := range call.Args {
				if sel, ok := a.(*ast.SelectorExpr); ok && (sel.Sel.Name == "Flag" || sel.Sel.Name == "Quarantine") {
					t.Errorf("%s: strings.%s on .%s: compare its kind instead", fset.Position(call.Pos()), fn.Sel.Name, sel.Sel.Name)
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 50 {
		t.Fatalf("only %d Go files inspected: the walk missed the repository", files)
	}
}

func fnPkg(fn *ast.SelectorExpr) (string, bool) {
	if fn == nil {
		return "", false
	}
	id, ok := fn.X.(*ast.Ident)
	if !ok {
		return "", false
	}
	return id.Name, true
}
