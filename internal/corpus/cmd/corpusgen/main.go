// Command corpusgen writes the reading corpus: the files it makes itself (Word XML, mail) and
// manifest.json into -out, and the HTML sources LibreOffice converts into -src, with one list
// per conversion (writer-docx.list, calc-xlsx.list, ...). regen.sh runs it, then soffice.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"mailbot/internal/corpus"
)

func main() {
	out := flag.String("out", "testdata/forms/corpus", "corpus directory")
	src := flag.String("src", "", "directory for the LibreOffice sources (empty: skip them)")
	holdout := flag.Bool("holdout", false, "write the held-out set (testdata/forms/holdout) instead of the corpus")
	flag.Parse()
	if err := run(*out, *src, *holdout); err != nil {
		fmt.Fprintln(os.Stderr, "corpusgen:", err)
		os.Exit(1)
	}
}

func run(out, src string, holdout bool) error {
	build, text := corpus.Build, readme
	if holdout {
		build, text = corpus.BuildHoldout, readmeHoldout
	}
	c, err := build()
	if err != nil {
		return err
	}
	for name, data := range c.Files {
		p := filepath.Join(out, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return err
		}
	}
	m, err := json.MarshalIndent(c.Manifest, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(out, "manifest.json"), append(m, '\n'), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(out, "README.md"), []byte(text), 0o644); err != nil {
		return err
	}
	if src == "" {
		return nil
	}
	lists := map[string][]string{}
	for _, s := range c.Sources {
		app := "writer"
		if s.Calc {
			app = "calc"
		}
		p := filepath.Join(src, s.Name+".html")
		if err := os.WriteFile(p, []byte(s.HTML), 0o644); err != nil {
			return err
		}
		for _, t := range s.Targets {
			lists[app+"-"+t] = append(lists[app+"-"+t], p)
		}
	}
	for _, name := range c.WordToPDF {
		abs, err := filepath.Abs(filepath.Join(out, "word", name+".docx"))
		if err != nil {
			return err
		}
		lists["word-pdf"] = append(lists["word-pdf"], abs)
	}
	for _, name := range c.DocxToPDF {
		abs, err := filepath.Abs(filepath.Join(out, "libreoffice", name+".docx"))
		if err != nil {
			return err
		}
		lists["docx-pdf"] = append(lists["docx-pdf"], abs)
	}
	keys := make([]string, 0, len(lists))
	for k := range lists {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if err := os.WriteFile(filepath.Join(src, k+".list"), []byte(strings.Join(lists[k], "\n")+"\n"), 0o644); err != nil {
			return err
		}
	}
	return nil
}

const readme = `# Reading corpus

Filled forms as other programs write them, not made by internal/formgen: LibreOffice (headless,
from HTML: DOCX, ODT, printed PDF, XLSX with merged cells), Word's own XML (legacy form fields,
content controls, merged cells, runs split mid-word), Outlook and Gmail messages, plain-text
bodies. manifest.json gives, for each file, its producer and layout and what a correct reader
finds: the form type, the field values (keys of parsers/schema.go), the fields left empty
("n.d.", "—", "____", an empty form field), the fields whose value is deliberately invalid
(problems) and those only drawn on the page (drawn: Word's legacy check boxes printed to PDF).

Remade by internal/corpus/regen.sh (needs LibreOffice); do not edit by hand. The files here are
what parsers/corpus_test.go reads: LibreOffice output is not byte-stable, so CI never remakes it.
Identifiers are valid by construction (check digits computed, then checked with the parsers'
own functions) except those listed as problems.
`

const readmeHoldout = `# Held-out reading set

Documents the readers were NOT tuned on: wordings and layouts the corpus (../corpus) does not
use (office labels such as "Ragione sociale dell'Ente", "C.F./P.IVA", "Cod. IPA ente"; a merged
row per section; label and value in one cell; form letters in prose; values with noise; form
controls; XLSX numbered and horizontal; Thunderbird format=flowed and Apple Mail bodies), and a
few deliberately invalid codes. Same manifest format as the corpus, plus "batch": batch 2 was
written after the readers changed in response to batch 1, so only batch 2 is still held out for
those changes; batch 3 (h3_*) was written after issue 18's evidence rule, without reading the
readers.

Never tune a reader on these files: they measure whether the readers generalise. When a reader
improves, only NEW held-out documents say whether the improvement generalises.

Remade by internal/corpus/regen_holdout.sh (needs LibreOffice Writer and Calc); do not edit by hand.
LibreOffice's output is not byte-stable: when adding a batch, commit only its new files.
parsers/corpus_test.go (TestCorpusHoldout) reads them.
`
