// Command formgen writes the blank forms mailbot ships and the filled forms tests read:
//
//	go run ./internal/formgen/cmd/formgen -out templates/forms -fixtures testdata/forms
//
// Run it after changing parsers.Forms and commit what it writes.
package main

import (
	"flag"
	"fmt"
	"os"

	"mailbot/internal/formgen"
)

func main() {
	out := flag.String("out", "templates/forms", "directory of the blank forms (empty: skip)")
	fixtures := flag.String("fixtures", "testdata/forms", "directory of the filled fixtures (empty: skip)")
	flag.Parse()
	if err := run(*out, *fixtures); err != nil {
		fmt.Fprintln(os.Stderr, "formgen:", err)
		os.Exit(1)
	}
}

func run(out, fixtures string) error {
	if out != "" {
		files, err := formgen.BlankFiles()
		if err != nil {
			return err
		}
		names, err := formgen.WriteFiles(out, files)
		if err != nil {
			return err
		}
		fmt.Printf("%d blank forms in %s\n", len(names), out)
	}
	if fixtures != "" {
		files, err := formgen.FixtureFiles()
		if err != nil {
			return err
		}
		names, err := formgen.WriteFiles(fixtures, files)
		if err != nil {
			return err
		}
		fmt.Printf("%d fixture files in %s\n", len(names), fixtures)
	}
	return nil
}
