package parsers

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// intentCase is one reply of testdata/intent/sentences.txt.
type intentCase struct {
	line             int
	step, want, kind string
	text             string
}

func loadIntentCases(t testing.TB, name string) []intentCase {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "intent", name))
	if err != nil {
		t.Fatalf("the intent test set is missing: %v", err)
	}
	var cases []intentCase
	var cur *intentCase
	var body []string
	flush := func() {
		if cur != nil {
			cur.text = strings.TrimSpace(strings.Join(body, "\n"))
			cases = append(cases, *cur)
		}
		body = nil
	}
	for i, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "@@ ") {
			flush()
			f := strings.Fields(l)
			if len(f) != 4 || (f[1] != StepTests && f[1] != StepPayment) || (f[2] != "move" && f[2] != "hold") {
				t.Fatalf("%s:%d: bad header %q", name, i+1, l)
			}
			cur = &intentCase{line: i + 1, step: f[1], want: f[2], kind: f[3]}
			continue
		}
		if cur != nil {
			body = append(body, l)
		}
	}
	flush()
	return cases
}

// intentOf reads a reply as mailbot does: the whole message analysed (quoted mail cut, forms
// read), then the intent of its fresh text and forms.
func intentOf(t testing.TB, step, body string) Intent {
	raw := "From: Referente <referente@comune.dolo.ve.it>\r\nTo: call.center@regione.veneto.it\r\n" +
		"Subject: Re: Credenziali [INT-2026-00012]\r\nMessage-ID: <r@comune.dolo.ve.it>\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" +
		strings.ReplaceAll(body, "\n", "\r\n") + "\r\n"
	an, err := Analyze(strings.NewReader(raw), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	return ReadIntent(step, an.Text, an.Forms)
}

// TestIntentSentences (issue 18 item 6): a reply moves a case only when the referent's words
// say the step is done. 0 wrong moves over the whole set, and at least 90% of the clearly
// positive replies move the case, for each step.
func TestIntentSentences(t *testing.T) {
	cases := loadIntentCases(t, "sentences.txt")
	if len(cases) < 150 {
		t.Fatalf("%d cases, want at least 150", len(cases))
	}
	intentScore(t, "sentences.txt", cases, 0.90)
}

// TestIntentHoldout: 46 replies written after the reader passed sentences.txt, same demands.
// First run, untouched: 0 wrong moves of 24 that must hold; 20 of 22 positive replies moved
// (collaudo 13/15, pagamento 7/7). Then, from those failures (so the set is no longer held out
// for them): a question is about the clause that ends with "?", "superamento" is an outcome,
// "errato" a failure. Now 21 of 22; the miss is a sentence about the production IP that names
// the collaudo in the future tense, which holds the case (a person moves it).
func TestIntentHoldout(t *testing.T) {
	intentScore(t, "holdout.txt", loadIntentCases(t, "holdout.txt"), 0.90)
}

func intentScore(t *testing.T, file string, cases []intentCase, minRecall float64) {
	type tally struct{ positive, moved, held, wrong, questions, asked int }
	by := map[string]*tally{StepTests: {}, StepPayment: {}}
	var misses []string
	for _, c := range cases {
		in := intentOf(t, c.step, c.text)
		tl := by[c.step]
		first := strings.SplitN(c.text, "\n", 2)[0]
		switch {
		case c.want == "move":
			tl.positive++
			if in.Done {
				tl.moved++
			} else {
				misses = append(misses, fmt.Sprintf("%s:%d (%s, %s) not moved: %q against %v", file, c.line, c.step, c.kind, first, in.Against))
			}
		default:
			tl.held++
			if in.Done {
				tl.wrong++
				t.Errorf("%s:%d (%s, %s) WRONG MOVE on %q: %+v", file, c.line, c.step, c.kind, first, in)
			}
		}
		if c.kind == "question" {
			tl.questions++
			if len(in.Questions) > 0 {
				tl.asked++
			} else {
				t.Errorf("%s:%d: question not seen: %q", file, c.line, first)
			}
		}
		if !in.Done && c.want == "hold" && len(in.Against) == 0 && len(in.Questions) == 0 && c.kind != "other" && c.kind != "ooo" && c.kind != "quoted" {
			// Nothing quoted for staff: they only see that the message was not understood.
			t.Logf("%s:%d (%s, %s) held with nothing quoted: %q", file, c.line, c.step, c.kind, first)
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\n| step | positive | moved | recall | must hold | wrong moves | questions seen |\n|---|---|---|---|---|---|---|\n")
	var total tally
	for _, step := range []string{StepTests, StepPayment} {
		tl := by[step]
		fmt.Fprintf(&b, "| %s | %d | %d | %.3f | %d | %d | %d/%d |\n", step, tl.positive, tl.moved, float64(tl.moved)/float64(tl.positive), tl.held, tl.wrong, tl.asked, tl.questions)
		total.positive += tl.positive
		total.moved += tl.moved
		total.held += tl.held
		total.wrong += tl.wrong
		total.asked += tl.asked
		total.questions += tl.questions
		if r := float64(tl.moved) / float64(tl.positive); r < minRecall {
			t.Errorf("%s %s: %d of %d positive replies move the case (%.3f), want at least %.2f", file, step, tl.moved, tl.positive, r, minRecall)
		}
	}
	fmt.Fprintf(&b, "| total | %d | %d | %.3f | %d | %d | %d/%d |\n", total.positive, total.moved, float64(total.moved)/float64(total.positive), total.held, total.wrong, total.asked, total.questions)
	t.Log(b.String())
	for _, m := range misses {
		t.Log(m)
	}
}

// TestIntentQuotesForStaff: what holds a case is quoted with its reason, sentence by sentence.
func TestIntentQuotesForStaff(t *testing.T) {
	in := ReadIntent(StepTests, "Buongiorno,\nI test non sono ancora terminati.\nCome facciamo a sapere se sono andati a buon fine?\nIP: 203.0.113.10\n\nCordiali saluti\nMario", nil)
	if in.Done || len(in.Against) != 2 || len(in.Questions) != 1 {
		t.Fatalf("%+v", in)
	}
	if in.Against[0].Sentence != "I test non sono ancora terminati." || in.Against[0].Reason != reasonNotYet {
		t.Errorf("first quote %+v", in.Against[0])
	}
	if in.Questions[0] != "Come facciamo a sapere se sono andati a buon fine?" {
		t.Errorf("question %q", in.Questions[0])
	}
	// An attached esiti form read by identity says the outcome on its own.
	f := Form{Type: FormEsitiCollaudo, Fields: map[string]any{"collaudo.esito": "positivo"}, Provenance: map[string]Provenance{"collaudo.esito": {Sure: true}}}
	if in := ReadIntent(StepTests, "In allegato gli esiti.", []Form{f}); !in.Done || in.Evidence != "Esito: positivo" {
		t.Errorf("esiti form: %+v", in)
	}
	f.Fields["collaudo.esito"] = "negativo"
	if in := ReadIntent(StepTests, "Test superati.", []Form{f}); in.Done {
		t.Errorf("a negative esito in a form moved the case: %+v", in)
	}
}

// TestIntentOwnMailQuoted: a reply that copies mailbot's mail with no quote marks (some
// clients do) is not read as the referent saying "Esito: positivo".
func TestIntentOwnMailQuoted(t *testing.T) {
	mail, err := os.ReadFile(filepath.Join("..", "mailbot", "testdata", "golden", "credentials-collaudo.txt"))
	if err != nil {
		t.Fatal(err)
	}
	for _, reply := range []string{"Grazie, ricevute.", "Ricevute, iniziamo i test la prossima settimana.", ""} {
		if in := ReadIntent(StepTests, reply+"\n\n"+string(mail), nil); in.Done {
			t.Errorf("%q over an unmarked copy of the credentials mail moved the case: %+v", reply, in)
		}
	}
	if in := ReadIntent(StepTests, "Esito: positivo\nIP: 203.0.113.10\n\n"+string(mail), nil); !in.Done {
		t.Errorf("the referent's own lines above the copy were not read: %+v", in)
	}
}

func FuzzReadIntent(f *testing.F) {
	for _, c := range loadIntentCases(f, "sentences.txt") {
		f.Add(c.step == StepPayment, c.text)
	}
	f.Fuzz(func(t *testing.T, payment bool, text string) {
		step := StepTests
		if payment {
			step = StepPayment
		}
		in := ReadIntent(step, text, nil)
		if in.Done && (in.Evidence == "" || len(in.Against) > 0 || in.Away) {
			t.Fatalf("done without evidence or despite objections: %+v", in)
		}
		if again := ReadIntent(step, text, nil); again.Done != in.Done || len(again.Against) != len(in.Against) {
			t.Fatalf("not deterministic: %+v then %+v", in, again)
		}
	})
}

// TestIntentHoldout4: 46 replies of held-out batch 4 (issue 18), written after the reader and its
// first held-out set by another hand, in voices neither uses. First run, untouched: 0 wrong moves
// of 30 that must hold, 15 of 16 positive replies moved (collaudo 10/11, pagamento 5/5), 4 of 4
// questions seen; the miss is a failure told as past and overcome ("dopo un primo tentativo non
// riuscito … ora il collaudo risulta superato"), which holds the case for a person.
func TestIntentHoldout4(t *testing.T) {
	intentScore(t, "holdout4.txt", loadIntentCases(t, "holdout4.txt"), intentHoldout4Recall)
}

// intentHoldout4Recall is the share of positive replies that must move the case, per step.
var intentHoldout4Recall = 0.90
