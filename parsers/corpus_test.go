package parsers

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"unicode"
)

// The reading corpus (testdata/forms/corpus, made by internal/corpus/regen.sh): forms filled by
// other producers than internal/formgen (LibreOffice, Word, Outlook, Gmail, plain mail), each
// with the values a correct reader finds. TestCorpus reads every document through the public
// entry points and compares.
//
// Ratchet: the floor and ceilings below are what main achieves, so main stays green while the
// readers improve; raise them as they do, never lower them to land a change. The target
// (issue 10) is recall >= 0.97 and 0 wrong values asserted with confidence; main reached
// recall 1.000 with 0 wrong values on 99 documents (floor 0.999: one value of slack).
const (
	corpusMinRecall = 0.999 // found correct / expected values
	// Calibration (issue 18): doubting everything must not pass, so the share of values read
	// right AND asserted has its own floor. 1715 of 1721 when it was first measured.
	corpusMinSureRecall      = 0.996
	corpusMaxConfidentWrong  = 0
	corpusMaxFalseProblems   = 0 // problems reported on a field whose value is not invalid
	corpusMaxMissedProblems  = 0 // deliberately invalid values not reported
	corpusTargetRecall       = 0.97
	corpusTargetWrongAllowed = 0
)

type corpusManifest struct {
	Documents []struct {
		File     string `json:"file"`
		Producer string `json:"producer"`
		Layout   string `json:"layout"`
		Batch    string `json:"batch"`
		Note     string `json:"note"`
		Forms    []struct {
			Type     string         `json:"type"`
			Source   string         `json:"source"`
			Fields   map[string]any `json:"fields"`
			Empty    []string       `json:"empty"`
			Problems []string       `json:"problems"`
			Drawn    []string       `json:"drawn"`
		} `json:"forms"`
	} `json:"documents"`
}

// corpusCount is one row of the table.
type corpusCount struct {
	docs, expected, found, missing, wrongSure, wrongUnsure, falseProblems, missedProblems int
	// foundSure counts the right values asserted with confidence; sure counts every value
	// asserted (right or wrong), doubts every value left to a person.
	foundSure, sure, doubts int
}

func (c *corpusCount) add(o corpusCount) {
	c.docs += o.docs
	c.expected += o.expected
	c.found += o.found
	c.missing += o.missing
	c.wrongSure += o.wrongSure
	c.wrongUnsure += o.wrongUnsure
	c.falseProblems += o.falseProblems
	c.missedProblems += o.missedProblems
	c.foundSure += o.foundSure
	c.sure += o.sure
	c.doubts += o.doubts
}

// sureRecall is the share of expected values read right and asserted: what reaches a referent
// and the case without a person.
func (c corpusCount) sureRecall() float64 {
	if c.expected == 0 {
		return 1
	}
	return float64(c.foundSure) / float64(c.expected)
}

func (c corpusCount) recall() float64 {
	if c.expected == 0 {
		return 1
	}
	return float64(c.found) / float64(c.expected)
}

// corpusSure tells whether the reader asserts f's value of key with confidence: Sure in its
// provenance, or no provenance entry at all.
func corpusSure(f Form, key string) bool {
	p, ok := f.Provenance[key]
	return !ok || p.Sure
}

// corpusNorm compares values loosely on form: case, spacing, line breaks and punctuation
// between words do not matter (an address over two lines is the same address).
func corpusNorm(key, s string) string {
	s = strings.ToLower(s)
	if strings.HasSuffix(key, "codice_fiscale") || strings.HasSuffix(key, "iban") || strings.HasSuffix(key, "partita_iva") {
		return strings.Join(strings.Fields(s), "")
	}
	s = strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("@./:_-'/", r) {
			return r
		}
		return ' '
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

func corpusList(key string, v any) []string {
	var out []string
	for _, s := range frValues(v) {
		if n := corpusNorm(key, s); n != "" {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

func corpusEqual(key string, want, got any) bool {
	_, wl := want.([]any)
	_, gl := got.([]string)
	if wl || gl {
		return slices.Equal(corpusList(key, want), corpusList(key, got))
	}
	return corpusNorm(key, fmt.Sprint(want)) == corpusNorm(key, strings.Join(frValues(got), " "))
}

func corpusEmpty(v any) bool {
	for _, s := range frValues(v) {
		if strings.TrimSpace(s) != "" {
			return false
		}
	}
	return true
}

func TestCorpus(t *testing.T) {
	res := corpusRun(t, filepath.Join("..", "testdata", "forms", "corpus"), 60)
	total, table, details := res.total, res.table, res.details
	t.Log("\n" + table + fmt.Sprintf("\nTarget: recall >= %.2f, %d wrong values asserted. Ratchet now: recall >= %.3f, asserted wrong <= %d, false problems <= %d.\n",
		corpusTargetRecall, corpusTargetWrongAllowed, corpusMinRecall, corpusMaxConfidentWrong, corpusMaxFalseProblems))
	t.Log("details:\n" + strings.Join(details, "\n"))
	corpusArtifact(t, "corpus_table.md", table, details)
	if r := total.recall(); r < corpusMinRecall {
		t.Errorf("recall %.3f < %.3f (ratchet; target %.2f)", r, corpusMinRecall, corpusTargetRecall)
	}
	if r := total.sureRecall(); r < corpusMinSureRecall {
		t.Errorf("sure recall %.3f < %.3f: right values left to a person (ratchet)", r, corpusMinSureRecall)
	}
	if total.wrongSure > corpusMaxConfidentWrong {
		t.Errorf("%d wrong values asserted with confidence, ratchet allows %d (target %d)", total.wrongSure, corpusMaxConfidentWrong, corpusTargetWrongAllowed)
	}
	if total.falseProblems > corpusMaxFalseProblems {
		t.Errorf("%d false problems, ratchet allows %d", total.falseProblems, corpusMaxFalseProblems)
	}
	if total.missedProblems > corpusMaxMissedProblems {
		t.Errorf("%d invalid values not reported, ratchet allows %d", total.missedProblems, corpusMaxMissedProblems)
	}
}

func corpusArtifact(t *testing.T, name, table string, details []string) {
	if dir := os.Getenv("MAILBOT_ARTIFACTS"); dir != "" {
		out := table + "\nDetails:\n" + strings.Join(details, "\n") + "\n"
		if err := os.WriteFile(filepath.Join(dir, name), []byte(out), 0o644); err != nil {
			t.Logf("write artifact: %v", err)
		}
	}
}

// corpusResult is what corpusRun measured: the totals, the totals by batch (held-out set) and by
// field key, the table by producer, layout and batch, and one line per value not found or wrong.
type corpusResult struct {
	total          corpusCount
	byBatch, byKey map[string]*corpusCount
	table          string
	details        []string
}

// corpusRun reads every document of the manifest in dir and measures it against the manifest.
func corpusRun(t *testing.T, dir string, minDocs int) corpusResult {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		t.Fatalf("read manifest: %v", err)
	}
	var man corpusManifest
	if err := json.Unmarshal(raw, &man); err != nil {
		t.Fatalf("manifest: %v", err)
	}
	if len(man.Documents) < minDocs {
		t.Errorf("%s has %d documents, want at least %d", dir, len(man.Documents), minDocs)
	}
	byProducer := map[string]*corpusCount{}
	byLayout := map[string]*corpusCount{}
	byBatch := map[string]*corpusCount{}
	byKey := map[string]*corpusCount{}
	key := func(k string) *corpusCount {
		if byKey[k] == nil {
			byKey[k] = &corpusCount{}
		}
		return byKey[k]
	}
	var total corpusCount
	var details []string
	for _, d := range man.Documents {
		data, err := os.ReadFile(filepath.Join(dir, d.File))
		if err != nil {
			t.Errorf("%s: %v", d.File, err)
			continue
		}
		var got []Form
		if strings.HasSuffix(d.File, ".eml") {
			an, err := Analyze(bytes.NewReader(data), Limits{})
			if err != nil {
				details = append(details, fmt.Sprintf("%s: Analyze: %v", d.File, err))
			} else {
				got = an.Forms
			}
		} else {
			got, err = ReadDocument(filepath.Base(d.File), "", data, Limits{})
			if err != nil {
				details = append(details, fmt.Sprintf("%s: ReadDocument: %v", d.File, err))
			}
		}
		c := corpusCount{docs: 1}
		for _, w := range d.Forms {
			// The form of that type (and source) that agrees best with the expectation.
			var best *Form
			bestScore := -1
			for i := range got {
				g := &got[i]
				if g.Type != w.Type || w.Source != "" && g.Source != w.Source {
					continue
				}
				score := 0
				for k, v := range w.Fields {
					if corpusEqual(k, v, g.Fields[k]) {
						score++
					}
				}
				if score > bestScore {
					best, bestScore = g, score
				}
			}
			if best == nil {
				var types []string
				for _, g := range got {
					types = append(types, g.Type+"@"+g.Source)
				}
				details = append(details, fmt.Sprintf("%s: no %s form (source %q) among %v", d.File, w.Type, w.Source, types))
				c.expected += len(w.Fields)
				c.missing += len(w.Fields)
				c.missedProblems += len(w.Problems)
				continue
			}
			keys := make([]string, 0, len(w.Fields))
			for k := range w.Fields {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				gv, ok := best.Fields[k]
				// A value only drawn on the page counts when a reader asserts one, not when
				// it finds none or marks it uncertain.
				drawn := slices.Contains(w.Drawn, k)
				if drawn && (!ok || corpusEmpty(gv) || !corpusSure(*best, k)) {
					continue
				}
				c.expected++
				kc := key(k)
				kc.expected++
				switch {
				case !ok || corpusEmpty(gv):
					c.missing++
					kc.missing++
					details = append(details, fmt.Sprintf("%s: %s %s missing (want %v)", d.File, w.Type, k, w.Fields[k]))
				case corpusEqual(k, w.Fields[k], gv):
					c.found++
					kc.found++
					if corpusSure(*best, k) {
						c.foundSure++
						kc.foundSure++
					}
				case corpusSure(*best, k):
					c.wrongSure++
					kc.wrongSure++
					details = append(details, fmt.Sprintf("%s: %s %s WRONG, asserted: got %q, want %v", d.File, w.Type, k, frValues(gv), w.Fields[k]))
				default:
					c.wrongUnsure++
					kc.wrongUnsure++
					details = append(details, fmt.Sprintf("%s: %s %s wrong but uncertain: got %q, want %v", d.File, w.Type, k, frValues(gv), w.Fields[k]))
				}
			}
			// A value for a field the document leaves empty, or does not have, is wrong too.
			var extra []string
			for k, gv := range best.Fields {
				if _, ok := w.Fields[k]; !ok && !corpusEmpty(gv) {
					extra = append(extra, k)
				}
			}
			sort.Strings(extra)
			for _, k := range extra {
				what := "not in the document"
				if slices.Contains(w.Empty, k) {
					what = "left empty in the document"
				}
				if corpusSure(*best, k) {
					c.wrongSure++
					key(k).wrongSure++
					details = append(details, fmt.Sprintf("%s: %s %s WRONG, asserted: got %q, %s", d.File, w.Type, k, frValues(best.Fields[k]), what))
				} else {
					c.wrongUnsure++
					key(k).wrongUnsure++
					details = append(details, fmt.Sprintf("%s: %s %s wrong but uncertain: got %q, %s", d.File, w.Type, k, frValues(best.Fields[k]), what))
				}
			}
			for k, gv := range best.Fields {
				if corpusEmpty(gv) && corpusSure(*best, k) {
					continue
				}
				if corpusSure(*best, k) {
					c.sure++
				} else {
					c.doubts++
				}
			}
			seen := map[string]bool{}
			for _, p := range best.Problems {
				if slices.Contains(w.Problems, p.Field) {
					seen[p.Field] = true
					continue
				}
				if !corpusSure(*best, p.Field) {
					// A problem of a doubtful value goes to staff with the doubt; the referent
					// is told only what was read with confidence (mailbot's documentsCheck).
					continue
				}
				c.falseProblems++
				details = append(details, fmt.Sprintf("%s: %s FALSE PROBLEM %s: %s", d.File, w.Type, p.Field, p.Message))
			}
			for _, k := range w.Problems {
				if !seen[k] {
					c.missedProblems++
					details = append(details, fmt.Sprintf("%s: %s problem on %s not reported", d.File, w.Type, k))
				}
			}
		}
		for m, key := range map[*map[string]*corpusCount]string{&byProducer: d.Producer, &byLayout: d.Layout, &byBatch: d.Batch} {
			m := *m
			if m[key] == nil {
				m[key] = &corpusCount{}
			}
			m[key].add(c)
		}
		total.add(c)
	}

	var b strings.Builder
	row := func(name string, c corpusCount) {
		fmt.Fprintf(&b, "| %-40s | %4d | %8d | %5d | %7d | %9d | %10d | %6.3f | %4d | %5d | %6.3f | %8d | %6d |\n", name, c.docs, c.expected, c.found, c.missing, c.wrongSure, c.wrongUnsure, c.recall(), c.sure, c.doubts, c.sureRecall(), c.falseProblems, c.missedProblems)
	}
	header := func(title string) {
		fmt.Fprintf(&b, "\n| %-40s | docs | expected | found | missing | WRONG (asserted) | wrong (unsure) | recall | sure | doubts | sure recall | false problems | missed problems |\n", title)
		b.WriteString("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	}
	for _, part := range []struct {
		title string
		m     map[string]*corpusCount
	}{{"producer", byProducer}, {"layout", byLayout}, {"batch", byBatch}} {
		if part.title == "batch" && byBatch[""] != nil {
			continue // batches only in the held-out set
		}
		header(part.title)
		names := make([]string, 0, len(part.m))
		for n := range part.m {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			row(n, *part.m[n])
		}
		row("TOTAL", total)
	}
	return corpusResult{total: total, byBatch: byBatch, byKey: byKey, table: b.String(), details: details}
}
