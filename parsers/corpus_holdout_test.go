package parsers

import (
	"path/filepath"
	"strings"
	"testing"
)

// The held-out set (testdata/forms/holdout, made by internal/corpus/regen_holdout.sh): documents
// the readers were NOT tuned on, in wordings and layouts the corpus does not use. The corpus is a
// training set (the readers were tuned on it until it passed); this set says how they do on
// forms they have not seen.
//
// Do not tune the readers on these documents. If a reader is improved, only NEW held-out
// documents (written without looking at the reader's change) say whether the improvement
// generalises; fixing the failures listed here turns this set into training data too.
//
// Ratchet, per batch: what main achieves today, so main stays green; tighten as the readers
// improve, never loosen to land a change.
//
// Batch 1 (21 documents) was first measured at recall 0.311 (125 of 402 values), 30 wrong values
// asserted with confidence, 7 false problems, 2 invalid values not reported. Then two general
// rules were added after seeing those failures (so batch 1 is no longer held out for them): a
// value that begins with another field's label, or is one, is uncertain; codes and addresses
// lose a sentence's final full stop. Now: recall 0.321 (129 of 402), 13 wrong values asserted,
// 0 false problems, 2 not reported.
//
// Batch 2 (10 documents) was written after those rules, to see whether they generalise:
// recall 0.315 (64 of 203), 26 wrong values asserted, 9 false problems, 2 not reported.
// They did not: labels on their own line above the value (box cells), dot leaders ("Label
// ...... value") and hint columns still give values read from a neighbouring field. Then, from
// those failures (so batch 2 is no longer held out for them either), the same "a label is never
// a value" rule was widened: a label alone on a line inside a value, a label before dot leaders,
// another code named inside a value ("S.r.l. – P. IVA …") and a yes/no field holding a date or
// a sentence are uncertain readings. Now: recall 0.315, 8 wrong values asserted, 4 false
// problems. Whether that generalises needs a batch 3 written after it.
//
// Issue 18 (evidence, then one rule): readers report typed evidence and decide turns it into
// confidence. The signals added then were written after reading both batches' remaining
// failures, so both batches are training data for them: a code field holding two lines, several
// words of a label inside a value, a label of the same section inside a value or naming a
// sibling ("Nome e cognome"), a sibling's value at the end of a value, a company's legal form
// in an ente's name or followed by more text, a code with spaces, a yes/no answer that is
// neither. Sure wrong values went from 13 and 8 to 0 and 1 (the one left: services ticked in a
// document with notes beside the boxes), false problems from 4 to 0, the main corpus unchanged.
// Only a batch 3 written after this says whether the rules generalise.
//
// Batch 3 (12 documents: label rows above value rows, a third-person ODT letter, an XLSX with
// remarks beside the values, an Outlook mail with a Word table pasted in, "campo = valore"
// lines, a bottom-posted Thunderbird reply, a referent and a substitute under the same labels,
// a Qualificazione with the version in its own cell) was written after issue 18's evidence rule
// without reading the readers. Its ratchet is its first, untouched figures: recall 0.330
// (76 of 230), 6 wrong values asserted (the substitute's name and surname joined to the
// referent's, in DOCX and PDF; an XLSX remark glued to the phone and to the modalità), 0 false
// problems, 2 invalid values not reported (both in documents whose values were not read).
//
// Then a value written in several cells beside its label (a note column: "int. 3412" beside the
// phone, the blank form's hint "MyPay e/o MyPivot" beside the service) became evidence against
// the reading: the last sure wrong value of batches 2 and 3 went, at the cost of 7 and 3 right
// values left to a person (sure recall 0.305 -> 0.271 and 0.330 -> 0.317); the main corpus
// unchanged. Then a column headed as notes ("Note per la compilazione", "Note UOC Contabilità")
// was read as remarks, not values (written after seeing batches 2 and 3): recall 0.315 -> 0.369
// and 0.330 -> 0.361, sure recall 0.355 and 0.352, still 0 sure wrong.
//
// Batch 4's rules (corpus_holdout4_test.go) changed batch 2 only: dot leaders after a label stand
// for its colon in text too ("Partita IVA ....... 0381…"), which read batch 2's dotted mails
// (recall 0.369 -> 0.557, sure recall 0.355 -> 0.527) but cut values a client had wrapped onto
// the next line (3 sure wrong); a free-text value followed by a line of text that is no label,
// pair, heading or closing is read whole as a doubt (`wrapped`), which brought them back to 0.
var holdoutRatchet = map[string]struct {
	minRecall                                  float64
	maxConfidentWrong, maxFalse, maxMissedProb int
}{
	"1": {0.375, 0, 0, 2}, // 143/402 = 0.356 since tables by columns under their label (issue 18); 148/402 = 0.368 since batch 4's section names ("Fornitore del gestionale"); 151/402 = 0.376 since a person beside their section's name
	"2": {0.556, 0, 0, 1}, // 75/203 = 0.3695 since notes columns (64/203 before); 113/203 = 0.557 since dot leaders stand for a colon and wrapped values (batch 4)
	"3": {0.360, 0, 0, 2}, // first, untouched: 76/230 = 0.3304 with 6 sure wrong; then 1 (two values under one label, closed lists), then 0 (cells beside a label); 83/230 = 0.3609 since notes columns
}

func TestCorpusHoldout(t *testing.T) {
	res := corpusRun(t, filepath.Join("..", "testdata", "forms", "holdout"), 20)
	byBatch, table, details := res.byBatch, res.table, res.details
	t.Log("\n" + table)
	t.Log("details:\n" + strings.Join(details, "\n"))
	corpusArtifact(t, "holdout_table.md", table, details)
	for batch, c := range byBatch {
		r, ok := holdoutRatchet[batch]
		if !ok {
			t.Errorf("batch %q has no ratchet in holdoutRatchet", batch)
			continue
		}
		if got := c.recall(); got < r.minRecall {
			t.Errorf("held-out batch %s: recall %.3f < %.3f (ratchet; target %.2f)", batch, got, r.minRecall, corpusTargetRecall)
		}
		if c.wrongSure > r.maxConfidentWrong {
			t.Errorf("held-out batch %s: %d wrong values asserted with confidence, ratchet allows %d (target %d)", batch, c.wrongSure, r.maxConfidentWrong, corpusTargetWrongAllowed)
		}
		if c.falseProblems > r.maxFalse {
			t.Errorf("held-out batch %s: %d false problems, ratchet allows %d", batch, c.falseProblems, r.maxFalse)
		}
		if c.missedProblems > r.maxMissedProb {
			t.Errorf("held-out batch %s: %d invalid values not reported, ratchet allows %d", batch, c.missedProblems, r.maxMissedProb)
		}
	}
}
