package parsers

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
)

// What a referent's own words say of a step of the case. A reply moves a case only when it
// states that the step is done: the tests passed, the real payment went through. Negation,
// "not yet", failure, future, conditional and questions never do; they are kept, sentence by
// sentence, for a person to read. Only the referent's words count: quoted earlier mail,
// signatures, legal disclaimers and out-of-office texts are not read as intent.
//
// A sentence is read for its topic (the tests, the payment), an outcome (superati, esito
// positivo, a buon fine, correttamente), and what holds it back. Failure and "not yet" hold
// the case wherever they are said, since they may name what the topic leaves implicit ("MyPay
// ok, su MyPivot ancora errori"); future, conditional, caveats, partial outcomes and questions
// hold it only when they speak of the topic, since polite closings use them freely ("se vi
// serve altro non esitate a contattarci").

// Steps a referent's words may complete.
const (
	StepTests   = "collaudo"  // in testing: the tests in collaudo passed
	StepPayment = "pagamento" // in production_check: the real payment in production went through
)

// Intent is what a referent's words say of a step.
type Intent struct {
	Done      bool     // the words state that the step is done, and nothing holds it back
	Evidence  string   // the sentence or form line that states it
	Against   []Quote  // sentences that hold the case: what a person must read
	Questions []string // sentences that ask something
	Away      bool     // an out-of-office text, not a message about the case
}

// Failed reports whether the words report a failure (an error, a negative outcome).
func (in Intent) Failed() bool {
	return slices.ContainsFunc(in.Against, func(q Quote) bool { return q.Reason == reasonFailure })
}

// Quote is a sentence of the referent and why it holds the case (Italian, for staff).
type Quote struct {
	Sentence string
	Reason   string
}

// Reasons a sentence holds a case.
const (
	reasonFailure     = "segnala un errore o un esito negativo"
	reasonNotYet      = "dice che non è ancora fatto"
	reasonNegated     = "nega l'esito"
	reasonFuture      = "parla al futuro"
	reasonConditional = "è condizionale o incerta"
	reasonPartial     = "riferisce un esito parziale o con riserve"
	reasonQuestion    = "è una domanda"
)

// ReadIntent reads what text (a reply's body; quoted mail and signatures are cut here too)
// and the forms of the same message say of step. An esiti_collaudo form's Esito is read by
// identity: "positivo" states the step done, "negativo" holds it.
func ReadIntent(step, text string, forms []Form) Intent {
	var in Intent
	fresh, _, _ := SplitReply(text)
	fresh = cutClosing(fresh)
	if awayRe.MatchString(foldIntent(fresh)) {
		in.Away = true
		return in
	}
	for _, f := range forms {
		v, _ := f.Fields[KeyCollaudoEsito].(string)
		if v == "" || !f.Provenance[KeyCollaudoEsito].Sure {
			continue
		}
		switch w := strings.ToLower(strings.TrimSpace(v)); {
		case strings.HasPrefix(w, "positiv"):
			if in.Evidence == "" {
				in.Evidence = "Esito: " + v
			}
		case strings.HasPrefix(w, "negativ"):
			in.Against = append(in.Against, Quote{"Esito: " + v, reasonFailure})
		}
	}
	for _, s := range sentences(fresh) {
		r := readSentence(step, s)
		if r.question {
			in.Questions = append(in.Questions, s)
		}
		if r.reason != "" {
			in.Against = append(in.Against, Quote{s, r.reason})
		} else if r.done && in.Evidence == "" {
			in.Evidence = s
		}
	}
	in.Done = in.Evidence != "" && len(in.Against) == 0
	return in
}

// sentenceRead is what one sentence says.
type sentenceRead struct {
	done     bool   // states the outcome of the step as good
	reason   string // why it holds the case, "" if it does not
	question bool
}

func readSentence(step, s string) sentenceRead {
	var r sentenceRead
	toks := intentTokens(s)
	topic := slices.ContainsFunc(toks, func(t string) bool { return hasStem(t, topicStems[step]) })
	joined := " " + strings.Join(toks, " ") + " "
	r.question = strings.Contains(s, "?") || questionRe.MatchString(joined)
	// What is asked: the clause that ends with the question mark ("test ok, ci date
	// l'esercizio?" asks for production, not about the tests), or the whole sentence.
	asked := toks
	if q := strings.IndexByte(s, '?'); q >= 0 {
		clause := s[:q]
		if c := strings.LastIndexAny(clause, ",;:"); c >= 0 {
			clause = clause[c+1:]
		}
		asked = intentTokens(clause)
	}
	askedOutcome := slices.ContainsFunc(asked, isOutcome) || phraseIn(asked, outcomePhrases)
	askedTopic := slices.ContainsFunc(asked, func(t string) bool { return hasStem(t, topicStems[step]) })

	// Negation: a negated failure ("nessun errore", "senza problemi") is good news; a negated
	// outcome ("non sono stati superati", "nessuno è andato a buon fine") is bad news.
	negFailure, negOutcome := map[int]bool{}, false
	for i, t := range toks {
		if !negations[t] {
			continue
		}
		for j := i + 1; j < len(toks) && j <= i+7 && toks[j] != ","; j++ {
			if hasStem(toks[j], failureStems) {
				negFailure[j] = true
				break
			}
			if isOutcome(toks[j]) || hasStem(toks[j], doneStems) || hasPhrase(toks[j:], outcomePhrases) {
				negOutcome = true
				break
			}
		}
	}
	resolved := slices.ContainsFunc(toks, func(t string) bool { return strings.HasPrefix(t, "risolt") })
	failure := failurePhraseRe.MatchString(joined)
	for i, t := range toks {
		// "per qualsiasi problema", "in caso di errori": a courtesy, not a report.
		hypothetical := i > 0 && courtesyWords[toks[i-1]] || i > 1 && toks[i-2] == "caso" && toks[i-1] == "di"
		if hasStem(t, failureStems) && !negFailure[i] && !resolved && !hypothetical {
			failure = true
		}
	}
	outcome := slices.ContainsFunc(toks, isOutcome) || phraseIn(toks, outcomePhrases) || len(negFailure) > 0
	// "abbiamo appena terminato": just done, not "as soon as".
	timed := justDoneRe.ReplaceAllString(joined, " ")
	polite := strings.ReplaceAll(joined, " se possibile ", " ")
	words := rawWords(s)
	switch {
	case failure:
		r.reason = reasonFailure
	case notYetRe.MatchString(joined):
		r.reason = reasonNotYet
	case r.question && (askedOutcome || askedTopic):
		r.reason = reasonQuestion // "come sappiamo se sono andati a buon fine?"
	case !topic:
	case negOutcome:
		r.reason = reasonNegated
	case topicNotYetRe.MatchString(joined):
		r.reason = reasonNotYet
	case slices.ContainsFunc(words, isFutureWord) || futureWordsRe.MatchString(timed):
		r.reason = reasonFuture
	case slices.ContainsFunc(words, isConditionalWord) || conditionalWordsRe.MatchString(polite):
		r.reason = reasonConditional
	case partialRe.MatchString(joined) || outcome && caveatRe.MatchString(joined):
		r.reason = reasonPartial
	}
	r.done = topic && outcome && r.reason == ""
	return r
}

// isOutcome reports whether a folded word states a good outcome.
func isOutcome(t string) bool {
	return hasStem(t, outcomeStems) || outcomeWords[t]
}

// rawWords are a sentence's lowercased words with their accents: the future "farà" and the
// conditional "farebbe" are told by their endings.
func rawWords(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) })
}

// isFutureWord: "faremo", "verranno", "effettuerà", "rientrerò".
func isFutureWord(w string) bool {
	if notFuture[w] {
		return false
	}
	for _, suf := range []string{"remo", "rete", "ranno", "rà", "rò"} {
		if strings.HasSuffix(w, suf) && len(w) > len(suf)+1 {
			return true
		}
	}
	return false
}

// isConditionalWord: "sarebbero", "faremmo".
func isConditionalWord(w string) bool {
	for _, suf := range []string{"rebbe", "rebbero", "remmo"} {
		if strings.HasSuffix(w, suf) && len(w) > len(suf)+1 {
			return true
		}
	}
	return false
}

// Words, as stems matched at the start of a folded token.
var (
	topicStems = map[string][]string{
		StepTests:   {"test", "collaud", "prove", "prova", "verific", "esito", "esiti", "transazion"},
		StepPayment: {"pagament", "pagat", "versament", "incass", "esito", "esiti", "transazion"},
	}
	outcomeStems  = []string{"superat", "superament", "positiv", "riuscit", "corrett", "regolar", "favorevol", "successo", "passed", "successful"}
	outcomeWords  = map[string]bool{"ok": true, "okay": true, "bene": true, "liscio": true, "funziona": true, "funzionano": true, "funzionante": true, "funzionanti": true}
	courtesyWords = map[string]bool{"qualsiasi": true, "qualunque": true, "eventuali": true, "eventuale": true, "ogni": true}
	notFuture     = map[string]bool{"però": true, "perciò": true, "rete": true, "parete": true, "segrete": true, "remo": true, "estremo": true, "supremo": true}
	doneStems     = []string{"complet", "termin", "conclus", "esegu", "effettu", "riusc", "andat", "fatt", "registrat", "arrivat", "ricevut", "pervenut"}
	failureStems  = []string{"error", "errat", "fallit", "falliscon", "fallisc", "falliment", "negativ", "ko", "rifiut", "problem", "anomal", "bloccat", "timeout", "scartat", "difficolt", "failed"}
	negations     = map[string]bool{"non": true, "nessun": true, "nessuno": true, "nessuna": true, "senza": true, "ne": true, "mai": true, "alcun": true}
	// Multi-word outcomes, tokens in order.
	outcomePhrases = [][]string{{"buon", "fine"}, {"buon", "esito"}, {"a", "posto"}, {"tutto", "ok"}, {"tutto", "regolare"}}
)

var (
	// Out-of-office texts, on the folded text.
	awayRe = regexp.MustCompile(`\b(fuori (ufficio|sede)|risposta automatica|sono assente|saro assente|sono in ferie|rientrero|out of office|assente (dal|fino|per))\b`)
	// Questions without a question mark.
	questionRe = regexp.MustCompile(` (vorrei|vorremmo|volevo|volevamo|desidero|desideriamo) (sapere|capire|chiedere) | (potete|potreste|puoi|potresti) (dirci|dirmi|confermarci|confermarmi|indicarci|spiegarci) | ci confermate | mi confermate | (come|dove|perche) (facciamo|possiamo|posso|si|vediamo|vedo|risulta) | a che punto `)
	// Failure said with words that are not failure on their own.
	failurePhraseRe = regexp.MustCompile(` non (ci )?(riusciamo|riesco|riusciamo|funziona|funzionano|va|vanno|viene accettat\w*|arriva|arrivano) | invece no | non direi `)
	// Not yet, wherever it is said.
	notYetRe = regexp.MustCompile(` non (\w+ ){0,2}ancora | ancora (non|da|in|nulla|niente|degli|delle|errori|problemi) | non (\w+ )?(tutti|tutte|tutto) `)
	// Not yet, said of the topic.
	topicNotYetRe = regexp.MustCompile(` in corso | (stiamo|sto|stanno|sta) | in attesa | quasi | (altro|piu) tempo | mancano | manca | prima di | iniziamo | inizieremo `)
	// Future said with words.
	futureWordsRe = regexp.MustCompile(` (prossima|prossimo|prossimi|prossime|domani|breve|entro|appena|poi|in seguito|contiamo|pensiamo|prevediamo|prevedo) `)
	justDoneRe    = regexp.MustCompile(` (ho|abbiamo|hanno|ha|e|sono|siamo) appena `)
	// Conditional and hedges.
	conditionalWordsRe = regexp.MustCompile(` (se|qualora|caso|dovrebbe|dovrebbero|potrebbe|potrebbero|sembra|sembrano|sembrerebbe|pare|forse|probabilmente|dice|dicono|credo|crediamo|penso|pensiamo) `)
	// Partial outcomes and caveats.
	partialRe = regexp.MustCompile(` (solo|soltanto|parzialmente|in parte|eccetto|tranne) | al \d+ `)
	caveatRe  = regexp.MustCompile(` (ma|pero|tuttavia|invece|purtroppo) `)
)

// Lines that end what a person writes: closings, and the disclaimers mail servers append.
var (
	closingRe    = regexp.MustCompile(`(?i)^\s*(cordiali saluti|distinti saluti|cordialmente|saluti|un saluto|buona giornata|buon lavoro|grazie( mille)?|best regards|regards)[\s,.!]*$`)
	disclaimerRe = regexp.MustCompile(`(?i)^\s*(avvertenza|avviso|informativa|confidentiality|disclaimer|questa e-?mail|questo messaggio|le informazioni contenute|ai sensi del)\b`)
)

// mailbot's own mail opens with "Gentile …," and signs "Regione del Veneto" (its footer,
// after "--", is gone by the time the text is read as a reply).
var (
	ownSignatureRe = regexp.MustCompile(`^\s*Regione del Veneto\s*$`)
	ownGreetingRe  = regexp.MustCompile(`^\s*Gentile [^,]{1,80},\s*$`)
)

// cutClosing drops what follows a closing line or starts a disclaimer: a name, an office, a
// phone number, a legal notice ("se avete ricevuto questo messaggio per errore"). A copy of
// mailbot's own mail quoted with no quote marks goes too, from its greeting on: it shows the
// lines a referent may write ("Esito: positivo"), which are not the referent's words.
func cutClosing(text string) string {
	lines := strings.Split(text, "\n")
	if f := slices.IndexFunc(lines, ownSignatureRe.MatchString); f >= 0 {
		start := f
		for i := f; i >= 0; i-- {
			if ownGreetingRe.MatchString(lines[i]) {
				start = i
				break
			}
		}
		lines = lines[:start]
	}
	for i, l := range lines {
		if disclaimerRe.MatchString(l) || closingRe.MatchString(l) {
			return strings.Join(lines[:i], "\n")
		}
	}
	return strings.Join(lines, "\n")
}

// sentenceEnd splits text into sentences: at a line end, or at . ! ? ; followed by a space or
// the end (so "203.0.113.10" and "Prot. n." stay whole enough to read).
var sentenceEnd = regexp.MustCompile(`[.!?;]+(\s|$)|\n`)

func sentences(text string) []string {
	var out []string
	last := 0
	add := func(s string) {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	for _, m := range sentenceEnd.FindAllStringIndex(text, -1) {
		end := m[1]
		if text[m[0]] == '\n' {
			end = m[0]
		}
		add(text[last:end])
		last = m[1]
	}
	add(text[last:])
	return out
}

// foldIntent lowercases and drops accents: "è" is "e", "rientrerò" is "rientrero".
func foldIntent(s string) string {
	return strings.ToLower(lblAccents.Replace(strings.ToLower(s)))
}

// intentTokens are a sentence's folded words, commas kept as clause breaks, common typos of
// the words that matter mended ("tets", "sucesso", "pagamneto").
func intentTokens(s string) []string {
	var out []string
	var b strings.Builder
	flush := func() {
		if b.Len() > 0 {
			out = append(out, mendTypo(b.String()))
			b.Reset()
		}
	}
	for _, r := range foldIntent(s) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		case r == ',' || r == ':' || r == '(' || r == ')':
			flush()
			out = append(out, ",")
		default:
			flush()
		}
	}
	flush()
	return out
}

func hasStem(tok string, stems []string) bool {
	for _, s := range stems {
		if strings.HasPrefix(tok, s) && (len(s) > 2 || tok == s) {
			return true
		}
	}
	return false
}

// hasPhrase reports whether toks starts with one of phrases.
func hasPhrase(toks []string, phrases [][]string) bool {
	for _, p := range phrases {
		if len(toks) >= len(p) && slices.Equal(toks[:len(p)], p) {
			return true
		}
	}
	return false
}

func phraseIn(toks []string, phrases [][]string) bool {
	for i := range toks {
		if hasPhrase(toks[i:], phrases) {
			return true
		}
	}
	return false
}

// typoWords are the words a reading hangs on, whose one-letter slips are mended.
var typoWords = []string{"test", "tests", "successo", "pagamento", "pagamenti", "effettuato", "positivo", "positivi", "superati", "superato", "collaudo", "eseguito", "esito", "riuscito", "corretto", "correttamente"}

// mendTypo returns the word of typoWords that tok is one slip away from (a letter missing,
// added, changed, or two swapped), or tok. Four-letter words mend only swapped letters.
func mendTypo(tok string) string {
	if len(tok) < 4 || strings.HasSuffix(tok, "are") || strings.HasSuffix(tok, "ere") || strings.HasSuffix(tok, "ire") {
		return tok // an infinitive ("superare") says nothing was done
	}
	for _, w := range typoWords {
		if tok == w || strings.HasPrefix(tok, w) {
			return tok
		}
	}
	for _, w := range typoWords {
		if len(w) == 4 {
			if len(tok) == 4 && swappedOnce(tok, w) {
				return w
			}
			continue
		}
		if osaWithinOne(tok, w) {
			return w
		}
	}
	return tok
}

func swappedOnce(a, b string) bool {
	for i := 0; i+1 < len(a); i++ {
		if a[i] != b[i] {
			return a[i] == b[i+1] && a[i+1] == b[i] && a[i+2:] == b[i+2:]
		}
	}
	return false
}

// osaWithinOne reports whether a and b differ by at most one edit (insert, delete, change, or
// swap of neighbours).
func osaWithinOne(a, b string) bool {
	if a == b {
		return true
	}
	la, lb := len(a), len(b)
	if la-lb > 1 || lb-la > 1 {
		return false
	}
	i := 0
	for i < la && i < lb && a[i] == b[i] {
		i++
	}
	switch {
	case la == lb:
		return a[i+1:] == b[i+1:] || swappedOnce(a, b)
	case la > lb:
		return a[i+1:] == b[i:]
	default:
		return a[i:] == b[i+1:]
	}
}
