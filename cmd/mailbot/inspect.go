package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"slices"
	"strings"

	"mailbot/mailbot"
	"mailbot/parsers"
	"mailbot/templates/say"
)

// runInspect implements "mailbot inspect [-json] FILE.eml": it shows what mailbot understands of
// one message, so staff can see why a ticket got what it got. Rejected parts are part of the
// answer, not a failure: the exit status is non-zero only when the file is not a message.
func runInspect(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("inspect", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print the analysis as JSON")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "uso: mailbot inspect [-json] FILE.eml")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return 2
	}
	path := fs.Arg(0)
	f, err := os.Open(path)
	if err != nil {
		fmt.Fprintf(stderr, "mailbot inspect: %v\n", err)
		return 1
	}
	defer f.Close()
	// The daemon's path: documents are read in worker processes, so a document that crashes
	// its reader is listed as unreadable instead of ending the command.
	readers := mailbot.NewReaderPool(slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelError})))
	defer readers.Close()
	a, err := parsers.AnalyzeWith(f, parsers.Limits{}, readers.Message(mailbot.DefaultBudget))
	if err != nil {
		fmt.Fprintf(stderr, "mailbot inspect: %s: %v\n", path, err)
		return 1
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(a); err != nil {
			fmt.Fprintf(stderr, "mailbot inspect: %v\n", err)
			return 1
		}
		return 0
	}
	printSummary(stdout, a)
	return 0
}

// printSummary writes the analysis for a person: Italian labels, English in brackets where staff
// reading logs may need it.
func printSummary(w io.Writer, a *parsers.Analysis) {
	line := func(label, v string) {
		if v != "" {
			fmt.Fprintf(w, "%-28s %s\n", label+":", v)
		}
	}
	line("Message-ID", a.MessageID)
	line("Mittente (from)", a.From)
	line("Oggetto (subject)", a.Subject)
	if a.Auto {
		line("Automatico (auto)", "sì — "+a.AutoReason)
	} else {
		line("Automatico (auto)", "no")
	}
	if a.Receipt != "" {
		line("Ricevuta PEC (receipt)", a.Receipt+" per "+a.ReceiptFor)
	}
	if p := a.PEC; p != nil {
		line("PEC tipo", p.Tipo)
		line("PEC mittente", p.Mittente)
		line("PEC gestore", p.Gestore)
		line("PEC data", p.Data)
		line("PEC msgid", p.Msgid)
	}
	for _, s := range a.Signers {
		note := ""
		if s.Partial {
			note = " " + say.Text("inspect.partial_signature")
		}
		line("Firmatario (signer)", fmt.Sprintf("%s (%s) — %s%s", s.Name, s.CodiceFiscale, s.File, note))
	}
	fmt.Fprintf(w, "%-28s %d\n", "Moduli (forms):", len(a.Forms))
	for _, f := range a.Forms {
		t := f.Type
		if t == "" {
			t = say.Text("inspect.no_form")
		}
		fmt.Fprintf(w, "  - %s da %s\n", t, f.Source)
		if missing := parsers.MissingFields(f); len(missing) > 0 {
			fmt.Fprintf(w, "      campi mancanti: %s\n", strings.Join(missing, ", "))
		}
		for _, p := range f.Problems {
			fmt.Fprintf(w, "      problema (%s): %s\n", p.Field, p.Message)
		}
		// What a person must confirm: never told to a referent as missing or wrong.
		for _, k := range slices.Sorted(maps.Keys(f.Provenance)) {
			if p := f.Provenance[k]; !p.Sure {
				fmt.Fprintf(w, "      incerto (%s): «%v» %s — %s\n", k, f.Fields[k], strings.TrimSpace(p.Document+" "+p.Where), p.Doubt)
			}
		}
	}
	line("Moduli mancanti (missing)", strings.Join(a.Missing, ", "))
	line("IP", strings.Join(a.IPs, ", "))
	for _, r := range a.Rejected {
		line("Scartato (rejected)", r.Part+": "+r.Reason)
	}
	for _, r := range a.Unreadable {
		line("Da leggere (unreadable)", r.Part+": "+r.Reason)
	}
	if a.Text != "" {
		fmt.Fprintf(w, "\nTesto nuovo (fresh text):\n%s\n", a.Text)
	}
}
