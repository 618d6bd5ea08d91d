package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"mailbot/catalog"
	"mailbot/mailbot"
	"mailbot/ticketing"
)

const catalogUsage = `usage:
  mailbot catalog export -config FILE -format json|csv|html|all -out DIR
  mailbot catalog hide -config FILE [-catalog prodotti|processi|enti] KEY
  mailbot catalog unhide -config FILE [-catalog prodotti|processi|enti] KEY
  mailbot catalog edit -config FILE [-catalog prodotti|processi|enti] KEY FIELD=VALUE...

KEY is the ticket an entry comes from (QUA-... for prodotti and processi, INT-... for enti).
FIELD is a JSON field of the entry; lists take items separated by ";"; FIELD= (empty) drops
the correction, so the value from the forms shows again.
`

// runCatalog exports the public catalogs or corrects an entry of them.
func runCatalog(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, catalogUsage)
		return 2
	}
	verb := args[0]
	fs := flag.NewFlagSet("catalog "+verb, flag.ContinueOnError)
	fs.SetOutput(stderr)
	config := fs.String("config", "mailbot.toml", "configuration file")
	format := fs.String("format", "all", "export: json, csv, html, several separated by commas, or all")
	out := fs.String("out", "", "export: directory to write into (created if missing)")
	only := fs.String("catalog", "", "hide, unhide, edit: only this catalog (default: every catalog of the ticket)")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	cfg, store, err := openStore(*config)
	if err != nil {
		fmt.Fprintf(stderr, "mailbot catalog: %v\n", err)
		return 2
	}
	defer store.Close()
	switch verb {
	case "export":
		if *out == "" || fs.NArg() != 0 {
			fmt.Fprint(stderr, catalogUsage)
			return 2
		}
		formats, err := catalog.ParseFormats(*format)
		if err != nil {
			fmt.Fprintf(stderr, "mailbot catalog export: -format: %v\n", err)
			return 2
		}
		set, err := exportCatalogs(ctx, cfg, store, formats, *out)
		if err != nil {
			fmt.Fprintf(stderr, "mailbot catalog export: %v\n", err)
			return 1
		}
		fmt.Fprintf(stdout, "%s: %d prodotti, %d processi, %d enti (%s)\n", *out, len(set.Get(catalog.Prodotti).Entries),
			len(set.Get(catalog.Processi).Entries), len(set.Get(catalog.Enti).Entries), strings.Join(formats, ", "))
		return 0
	case "hide", "unhide", "edit":
	default:
		fmt.Fprintf(stderr, "mailbot catalog: unknown command %q\n%s", verb, catalogUsage)
		return 2
	}

	if fs.NArg() < 1 || (verb == "edit") != (fs.NArg() > 1) {
		fmt.Fprint(stderr, catalogUsage)
		return 2
	}
	key := strings.ToUpper(fs.Arg(0))
	var hidden *bool
	if verb != "edit" {
		h := verb == "hide"
		hidden = &h
	}
	fields := map[string]string{}
	for _, a := range fs.Args()[1:] {
		f, v, ok := strings.Cut(a, "=")
		if !ok || strings.TrimSpace(f) == "" {
			fmt.Fprintf(stderr, "mailbot catalog edit: %q: want FIELD=VALUE\n", a)
			return 2
		}
		fields[strings.TrimSpace(f)] = strings.TrimSpace(v)
	}
	tk, err := store.Ticket(ctx, key)
	if errors.Is(err, ticketing.ErrNotFound) {
		fmt.Fprintf(stderr, "mailbot catalog %s: no ticket %s\n", verb, key)
		return 1
	}
	if err != nil {
		fmt.Fprintf(stderr, "mailbot catalog %s: %v\n", verb, err)
		return 1
	}
	changes, err := catalog.Corrections(tk.Kind, key, *only, hidden, fields)
	if err != nil {
		fmt.Fprintf(stderr, "mailbot catalog %s: %v\n", verb, err)
		return 2
	}
	by := "cli:" + operator()
	err = store.Update(ctx, func(tx *ticketing.Tx) error {
		for _, c := range changes {
			if err := tx.CorrectCatalog(c, by, time.Now()); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		fmt.Fprintf(stderr, "mailbot catalog %s: %v\n", verb, err)
		return 1
	}
	var names []string
	for _, c := range changes {
		names = append(names, c.Catalog)
	}
	fmt.Fprintf(stdout, "%s: %s recorded in %s\n", key, verb, strings.Join(names, ", "))
	// Files in out_dir follow at once; a running daemon serves the change at its next refresh.
	if cfg.Catalog.OutDir != "" {
		if _, err := exportCatalogs(ctx, cfg, store, catalog.Formats, cfg.Catalog.OutDir); err != nil {
			fmt.Fprintf(stderr, "mailbot catalog %s: recorded, but %s not regenerated: %v\n", verb, cfg.Catalog.OutDir, err)
			return 1
		}
	}
	return 0
}

func exportCatalogs(ctx context.Context, cfg *mailbot.Config, store *ticketing.Store, formats []string, dir string) (*catalog.Set, error) {
	set, err := catalog.Build(ctx, store, time.Now(), cfg.Location())
	if err != nil {
		return nil, err
	}
	files, err := set.Files(formats)
	if err != nil {
		return nil, err
	}
	return set, catalog.WriteDir(dir, files)
}
