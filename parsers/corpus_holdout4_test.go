package parsers

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// Held-out batch 4 (testdata/forms/holdout4, made by internal/corpus/heldout4/make.sh): documents
// made by producers the project never used for its own forms or its earlier batches (the npm
// packages docx, pdfkit, pdf-lib and exceljs; HTML converted by LibreOffice; hand-written mail in
// a PEC envelope, terse, forwarded by a software house, a bilingual reply over quoted history),
// in layouts the readers were not written for: section rows merged over a table, "Nome e cognome"
// in one cell, a referent and a substitute side by side, an AcroForm whose fields carry their
// maker's names, a scan's OCR layer with slips, values typed one cell off, codes in groups,
// boxes as ☒, [x], X and "sì". The manifest (the truth) was written before mailbot read them.
//
// First run, untouched: recall 0.677 (134 of 198), sure recall 0.626 (124), 0 sure wrong values,
// 17 wrong values doubted, 3 false problems (two OCR slips of a scan told as invalid codes, two
// production IPs written "a - b" told as a range). Then, general rules written from these
// failures (so this batch is training data for them): a problem of a doubtful value is staff's,
// not the referent's (the measure now counts what mailbot tells, as documentsCheck does); two
// neighbouring IPs joined by a dash are both addresses; a header row under a section row inside a
// larger table starts a table by columns; a header row over people side by side gives the column
// headed by the section's name (recall 0.758, sure recall 0.707); dot leaders after a label
// stand for its colon, and a free-text value followed by more text is read whole as a doubt
// (`wrapped`) (recall 0.773, sure recall 0.722); words offices use for a field or section
// ("Domicilio digitale", "Recapito telefonico", "Azienda fornitrice", "Fornitore del
// gestionale"); "Nome e cognome" with two words gives each field its word, in doubt (0.813);
// so does a person written whole beside their section's name ("Payments contact / Referente dei
// pagamenti: Francesca Menegus"). Now recall 0.823, sure recall 0.753, 0 sure wrong, 0 false
// problems. Any sure value that is wrong fails the test; doubts only lower the recall, held to
// its ratchet.
var holdout4Floor = struct {
	recall, sureRecall float64
	maxFalse           int
}{0.823, 0.752, 0}

func TestCorpusHoldout4(t *testing.T) {
	res := corpusRun(t, filepath.Join("..", "testdata", "forms", "holdout4"), 12)
	t.Log("\n" + res.table)
	t.Log("by field:\n" + holdoutByKey(res.byKey))
	t.Log("details:\n" + strings.Join(res.details, "\n"))
	corpusArtifact(t, "holdout4_table.md", res.table+"\n"+holdoutByKey(res.byKey), res.details)
	c := res.total
	if c.wrongSure > 0 {
		t.Errorf("held-out batch 4: %d wrong values asserted with confidence (must be 0)", c.wrongSure)
	}
	if c.falseProblems > holdout4Floor.maxFalse {
		t.Errorf("held-out batch 4: %d problems told about right values, ratchet allows %d", c.falseProblems, holdout4Floor.maxFalse)
	}
	if got := c.recall(); got < holdout4Floor.recall {
		t.Errorf("held-out batch 4: recall %.3f < %.3f (ratchet)", got, holdout4Floor.recall)
	}
	if got := c.sureRecall(); got < holdout4Floor.sureRecall {
		t.Errorf("held-out batch 4: sure recall %.3f < %.3f (ratchet)", got, holdout4Floor.sureRecall)
	}
}

// holdoutByKey is the calibration table per field: right values asserted (sure right) or left to
// a person (doubt right), wrong values asserted (sure wrong: the test fails) or doubted, and
// values not read at all.
func holdoutByKey(m map[string]*corpusCount) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString("| field | expected | sure right | doubt right | SURE WRONG | doubt wrong | missed |\n|---|---|---|---|---|---|---|\n")
	var tot corpusCount
	for _, k := range keys {
		c := *m[k]
		fmt.Fprintf(&b, "| %s | %d | %d | %d | %d | %d | %d |\n", k, c.expected, c.foundSure, c.found-c.foundSure, c.wrongSure, c.wrongUnsure, c.missing)
		tot.add(c)
	}
	fmt.Fprintf(&b, "| total | %d | %d | %d | %d | %d | %d |\n", tot.expected, tot.foundSure, tot.found-tot.foundSure, tot.wrongSure, tot.wrongUnsure, tot.missing)
	return b.String()
}
