package parsers

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	"mailbot/templates/say"
)

// Problem is something wrong in a form, told in Italian to the referent.
type Problem struct {
	Field   string `json:"field"`           // field key, as in schema.go
	Value   string `json:"value,omitempty"` // the value as written
	Message string `json:"message"`         // a sentence naming the field's label and the value
}

// Form is one form read from an attachment or a message body.
type Form struct {
	Type     string         `json:"type"`     // a Form* constant from schema.go, "" if not recognised
	Source   string         `json:"source"`   // attachment file name, or "corpo del messaggio" for the body
	Fields   map[string]any `json:"fields"`   // value is string, or []string for list kinds (services, ips, lists)
	Problems []Problem      `json:"problems"` // never nil (empty slice) so JSON shows []
	// Provenance says, per field key in Fields, where the value was read and how sure the
	// reader is of it. Never nil.
	Provenance map[string]Provenance `json:"provenance"`
}

// How a value was read (Provenance.How).
const (
	HowFormField = "form_field" // a fillable form field (PDF AcroForm, DOCX/ODT control)
	HowIdentity  = "identity"   // a field named by its key (mailbot's own forms), not by a label
	HowTable     = "table"      // a table cell next to or under its label
	HowLine      = "line"       // a "Label: value" line or a label with its value below
	HowBody      = "body"       // a line of the message body
)

// Provenance is where one value was read and how sure the reader is of it. A value that is not
// Sure must not be reported to a referent as wrong or missing: a person confirms it. Such a
// field stays in Form.Fields even when nothing could be read with confidence (an empty list for
// a choice where nothing or every option appears ticked, an IP field holding a date), so that
// its doubt reaches staff; it is never a Problem.
type Provenance struct {
	Document string `json:"document"`        // attachment file name, or SourceBody
	Where    string `json:"where,omitempty"` // page, table cell or paragraph: "pagina 2", "tabella 1, riga 3"
	Label    string `json:"label,omitempty"` // the label as written in the document
	How      string `json:"how"`             // a How* constant
	// Sure and Doubt are decided from Evidence by decide (evidence.go), never by a reader.
	Sure     bool     `json:"sure"`            // false: an uncertain reading, for a person to confirm
	Doubt    string   `json:"doubt,omitempty"` // why the reader is unsure, in Italian for staff
	Evidence Evidence `json:"evidence,omitzero"`
}

// SourceBody is Form.Source for forms written in the body of a message.
const SourceBody = "corpo del messaggio"

// DocumentError says why a document could not be read. Reason is an Italian sentence for the
// reply to the referent and Key its key in templates/say (what code and metrics go by, never the
// wording); errors.Is matches ErrUnreadable or ErrLimit, and the internal cause.
type DocumentError struct {
	Name   string
	Reason string
	Key    string
	Kind   error // ErrUnreadable or ErrLimit
	Cause  error // what the library said, if anything
}

func (e *DocumentError) Error() string {
	s := fmt.Sprintf("%s: %s", e.Name, e.Reason)
	if e.Cause != nil {
		s += " (" + e.Cause.Error() + ")"
	}
	return s
}

func (e *DocumentError) Unwrap() []error {
	if e.Cause == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Cause}
}

// Reasons a document is not read: their keys in templates/say.
const (
	reasonScan      = "doc.scan"
	reasonDamaged   = "doc.damaged"
	reasonOldOffice = "doc.old_office"
	reasonUnknown   = "doc.unknown_format"
	reasonTooBig    = "doc.too_big"
	reasonTooSlow   = "doc.too_slow"
	reasonEncrypted = "doc.encrypted"
)

func docErr(name string, kind error, key string, cause error) error {
	return &DocumentError{Name: name, Reason: say.Text(key), Key: key, Kind: kind, Cause: cause}
}

// frItem is one thing read from a document, in order: a label/value pair, or a line of text.
type frItem struct {
	label, value string
	pair         bool
	where        string   // Provenance.Where: page, table cell, paragraph ("" if unknown)
	how          string   // Provenance.How; "" means HowLine (HowBody for a message body)
	sig          Signal   // evidence against this pair, zero when none
	in           lblLabel // the label's tokens, read once by frBuild (or by the reader)
	// key is the name the document gives the value's field (a content control's tag, a form
	// control's or AcroForm field's name): in mailbot's own forms, the field key itself.
	key string
	// form is the form type the document's properties name (mailbot's own forms carry it):
	// an item of its own, first.
	form string
}

// Document formats ReadDocument tells apart.
const (
	fmtPDF     = "pdf"
	fmtDOCX    = "docx"
	fmtODF     = "odf"
	fmtXLSX    = "xlsx"
	fmtImage   = "image"
	fmtText    = "text"
	fmtOldOff  = "ole"
	fmtUnknown = ""
)

// frFormat recognises a document by its first bytes, then by content type and name.
func frFormat(name, contentType string, data []byte) string {
	head := data
	if len(head) > 1024 {
		head = head[:1024]
	}
	switch {
	case bytes.Contains(head, []byte("%PDF-")):
		return fmtPDF
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		switch {
		case bytes.Contains(data, []byte("word/document.xml")):
			return fmtDOCX
		case bytes.Contains(data, []byte("xl/workbook.xml")):
			return fmtXLSX
		case bytes.Contains(data, []byte("content.xml")):
			return fmtODF
		}
	case bytes.HasPrefix(data, []byte("\xff\xd8\xff")), bytes.HasPrefix(data, []byte("\x89PNG")),
		bytes.HasPrefix(data, []byte("II*\x00")), bytes.HasPrefix(data, []byte("MM\x00*")),
		bytes.HasPrefix(data, []byte("GIF8")), bytes.HasPrefix(data, []byte("BM")) && len(data) > 14:
		return fmtImage
	case bytes.HasPrefix(data, []byte("\xd0\xcf\x11\xe0")):
		return fmtOldOff
	}
	ct := strings.ToLower(contentType)
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = strings.TrimSpace(ct[:i])
	}
	switch ext := strings.ToLower(path.Ext(name)); {
	case strings.HasPrefix(ct, "image/"), slices.Contains([]string{".jpg", ".jpeg", ".png", ".tif", ".tiff", ".gif", ".bmp", ".heic", ".webp"}, ext):
		return fmtImage
	case ct == "application/pdf", ext == ".pdf":
		return fmtPDF
	case ext == ".doc", ext == ".xls", ct == "application/msword", ct == "application/vnd.ms-excel":
		return fmtOldOff
	case ct == "text/plain", ext == ".txt":
		return fmtText
	}
	return fmtUnknown
}

// ReadDocument reads one attachment as form(s). Unreadable input (a scan, an image, a PDF with no
// text) returns an error wrapping ErrUnreadable with a reason (*DocumentError); a limit breach
// wraps ErrLimit. A readable document that is not a form gives no forms and no error. Never
// panics: each document is read in its own goroutine, bounded by lim.DocumentTimeout, and a
// panic of a library becomes an ErrUnreadable error. The reader gets a context that ends at the
// deadline and checks it inside its loops, so it stops soon after; until it does it keeps its
// reading slot, so a reader that overruns still counts against maxReading.
func ReadDocument(name, contentType string, data []byte, lim Limits) ([]Form, error) {
	lim = lim.WithDefaults()
	if int64(len(data)) > lim.MaxMessageBytes {
		return nil, docErr(name, ErrLimit, reasonTooBig, fmt.Errorf("%d bytes", len(data)))
	}
	// Waiting for a slot has its own bound: the readers ahead end within their own deadlines,
	// and a document should not be called too slow for the time others took.
	wait := time.NewTimer(slotWait * lim.DocumentTimeout)
	select {
	case readingSlots <- struct{}{}:
		wait.Stop()
	case <-wait.C:
		return nil, docErr(name, ErrLimit, reasonTooSlow, fmt.Errorf("no reader free within %s", slotWait*lim.DocumentTimeout))
	}
	ctx, cancel := context.WithTimeout(context.Background(), lim.DocumentTimeout)
	defer cancel()
	done := make(chan readResult, 1) // buffered: a late reader never blocks
	job := readJob{ctx, name, contentType, data, lim, frTestHook, done}
	select {
	case readJobs <- job: // a reader waiting for a document
	default:
		go reader(job)
	}
	select {
	case r := <-done:
		return r.forms, r.err
	case <-ctx.Done():
		return nil, docErr(name, ErrLimit, reasonTooSlow, fmt.Errorf("timeout after %s", lim.DocumentTimeout))
	}
}

type readResult struct {
	forms []Form
	err   error
}

// readJob is one document for a reader goroutine, with its reading slot taken.
type readJob struct {
	ctx               context.Context
	name, contentType string
	data              []byte
	lim               Limits
	hook              func(context.Context)
	done              chan<- readResult
}

// Reader goroutines wait for the next document once they have read one (up to maxReading of
// them wait): a reader's stack, grown by the documents it read, is not grown again, a copy
// each time, for the next (a fiftieth of a printed letter's CPU time).
var (
	readJobs    = make(chan readJob)
	readersIdle atomic.Int32
)

func reader(j readJob) {
	for {
		j.read()
		j = readJob{} // an idle reader keeps no document alive
		if readersIdle.Add(1) > maxReading {
			readersIdle.Add(-1)
			return
		}
		j = <-readJobs
		readersIdle.Add(-1)
	}
}

// read reads the document and gives back its reading slot; a panic of a library becomes an
// ErrUnreadable error.
func (j readJob) read() {
	defer func() { <-readingSlots }()
	defer func() {
		if r := recover(); r != nil {
			j.done <- readResult{err: docErr(j.name, ErrUnreadable, reasonDamaged, fmt.Errorf("panic while reading: %v", r))}
		}
	}()
	if j.hook != nil {
		j.hook(j.ctx)
	}
	forms, err := frReadDocument(j.ctx, j.name, j.contentType, j.data, j.lim)
	j.done <- readResult{forms, err}
}

// maxReading bounds the documents read at once in the whole process: each may take its budget
// of memory, and a daemon that reads several messages at once would add the budgets up. The
// semaphore is process-wide on purpose: the bound is on this process's memory, whoever reads.
const maxReading = 2

// maxFormText bounds the text read for forms from a message or a text file: a form written
// that way is a few KB.
const maxFormText = 128 << 10

// formText returns the first maxFormText bytes of text, up to a line end.
func formText(text string) string {
	if len(text) <= maxFormText {
		return text
	}
	text = text[:maxFormText]
	if i := strings.LastIndexByte(text, '\n'); i > 0 {
		text = text[:i]
	}
	return text
}

// slotWait is how many reading deadlines a document may wait for a free slot.
const slotWait = 3

var readingSlots = make(chan struct{}, maxReading)

// frTestHook runs at the start of each document read with the reader's context; tests use it to
// simulate a slow or panicking library.
var frTestHook func(context.Context)

func frReadDocument(ctx context.Context, name, contentType string, data []byte, lim Limits) ([]Form, error) {
	var (
		items []frItem
		err   error
	)
	switch frFormat(name, contentType, data) {
	case fmtImage:
		return nil, docErr(name, ErrUnreadable, reasonScan, nil)
	case fmtOldOff:
		return nil, docErr(name, ErrUnreadable, reasonOldOffice, nil)
	case fmtText:
		return frBuild(tfLinesToItems(strings.Split(formText(string(data)), "\n")), name, name, false), nil
	case fmtDOCX:
		items, err = docxRead(name, data, lim)
	case fmtODF:
		items, err = odtRead(name, data, lim)
	case fmtXLSX:
		items, err = xlsxRead(ctx, name, data, lim)
	case fmtPDF:
		items, err = pdfRead(ctx, name, data, lim)
		if err == nil {
			// The forms copy what they keep of the items: their array serves the next PDF.
			defer pdfPutItems(items)
		}
	default:
		return nil, docErr(name, ErrUnreadable, reasonUnknown, nil)
	}
	if err != nil {
		return nil, err
	}
	return frBuild(items, name, name, false), nil
}

// ReadText reads "Label: value" lines (e.g. a message body) as form(s); source is put in
// Form.Source. Text with no recognised field gives no form. Only the first maxFormText bytes
// are read, up to a line end: label matching costs up to seconds of CPU per MiB of text.
func ReadText(text, source string) []Form {
	return frBuild(tfLinesToItems(strings.Split(formText(text), "\n")), source, "", true)
}

// frSegment is a run of items that belong to one form.
type frSegment struct {
	typ    string
	items  []frItem
	copied bool // items is a copy, not a run of frBuild's items
}

// frHeadingType returns the form type a line of text announces, if it reads as a title: the
// marker plus a few words ("Modulo 2 - Informativa generale dell'ente"), not a sentence that
// mentions a form ("in allegato l'informativa generale e la qualificazione ...").
func frHeadingType(it frItem) string {
	if it.pair {
		return ""
	}
	typ := lblFindMarkerRead(it.in.ids)
	if typ == "" {
		return ""
	}
	if len(it.in.toks)-len(lblTokens(Spec(typ).Title)) > 4 {
		return ""
	}
	return typ
}

// frBuild groups items into forms: a new form starts at each title of a different form type.
// fromBody marks text of a message, where a form is only what has recognised fields.
func frBuild(items []frItem, source, fileName string, fromBody bool) []Form {
	for i := range items {
		if items[i].in.toks == nil { // a reader may have read them already
			items[i].in = lblLabelOf(items[i].label)
		}
	}
	segs := []frSegment{{}}
	for i, it := range items {
		if it.form != "" {
			if segs[0].typ == "" && Spec(it.form) != nil {
				segs[0].typ = it.form
			}
			continue
		}
		if t := frHeadingType(it); t != "" {
			cur := &segs[len(segs)-1]
			switch {
			case cur.typ == "":
				cur.typ = t
			case cur.typ != t:
				segs = append(segs, frSegment{typ: t})
			}
		}
		seg := &segs[len(segs)-1]
		switch {
		case seg.items == nil:
			seg.items = items[i : i+1 : i+1] // a run of items is a slice of them, not a copy
		case !seg.copied && &seg.items[len(seg.items)-1] == &items[i-1]:
			seg.items = items[i-len(seg.items) : i+1 : i+1]
		case !seg.copied:
			// A form's own item stood between: copied, once, with room for the rest.
			seg.items, seg.copied = append(make([]frItem, 0, len(seg.items)+len(items)-i), seg.items...), true
			fallthrough
		default:
			seg.items = append(seg.items, it)
		}
	}
	forms := []Form{}
	for _, seg := range segs {
		typ := seg.typ
		if typ == "" && !fromBody {
			// The labels' text, one a line, written into the search's memory.
			m := lblMarkerMems.Get().(*lblMarkerMem)
			text := m.text[:0]
			for _, it := range seg.items {
				text = append(append(text, it.label...), '\n')
			}
			m.text = text
			typ = m.find(lblBytesString(text))
			m.put()
			if typ == "" && fileName != "" {
				typ = lblFindMarker(strings.NewReplacer("_", " ", "-", " ").Replace(strings.TrimSuffix(fileName, path.Ext(fileName))))
			}
		}
		// frDominant matches every pair against every form: only when the type is in doubt.
		if typ == "" {
			typ = frDominant(seg.items)
		} else if fromBody && !frFillsAny(typ, seg.items) {
			if dom := frDominant(seg.items); dom != "" {
				typ = dom
			}
		}
		// Room for a field a pair (a form has a few dozen): the maps do not grow a step at a time.
		pairs := 0
		for _, it := range seg.items {
			if it.pair {
				pairs++
			}
		}
		pairs = min(pairs, 64)
		f := Form{Type: typ, Source: source, Fields: make(map[string]any, pairs), Problems: []Problem{}, Provenance: make(map[string]Provenance, pairs)}
		frFill(&f, seg.items, fromBody)
		if len(f.Fields) == 0 && (fromBody || typ == "") {
			continue
		}
		CheckForm(&f)
		if fromBody && len(f.Fields) == 0 && len(f.Problems) == 0 {
			continue
		}
		forms = append(forms, f)
	}
	return forms
}

// frFillsAny reports whether the pairs fill a field of a form type (frMatchCount > 0), from
// the first one that does.
func frFillsAny(typ string, items []frItem) bool {
	lm := lblMatchers[typ]
	if lm == nil {
		return false
	}
	for _, it := range items {
		if !it.pair || tfClean(it.value) == "" {
			continue
		}
		if _, _, ok := lm.matchRead(it.label, it.in); ok {
			return true
		}
	}
	return false
}

// frMatchCount counts the distinct fields of a form type that the pairs fill.
func frMatchCount(typ string, items []frItem) int {
	lm := lblMatchers[typ]
	if lm == nil {
		return 0
	}
	keys := map[string]bool{}
	for _, it := range items {
		if !it.pair || tfClean(it.value) == "" {
			continue
		}
		if f, _, ok := lm.matchRead(it.label, it.in); ok {
			keys[f.Key] = true
		}
	}
	return len(keys)
}

// frDominant is the form type whose fields the pairs fill most, "" on a tie. One field is
// enough only if the form requires it ("Esito: positivo"); an optional one ("Note: ...") is not.
func frDominant(items []frItem) string {
	best, bestN, tie := "", 0, false
	for _, spec := range Forms {
		n := frMatchCount(spec.Type, items)
		if n == 1 && !frFillsRequired(spec, items) {
			continue
		}
		switch {
		case n > bestN:
			best, bestN, tie = spec.Type, n, false
		case n == bestN && best != "":
			tie = true
		}
	}
	if tie {
		return ""
	}
	return best
}

// frFill puts the pairs into f.Fields, by the labels of f's form type, and records where each
// value was read (the first place, for a field filled from several). Labels are resolved in
// the section they stand in (a heading such as "2. Referente dei pagamenti" opens one). The
// options of a choice may follow its label on the next items, one per row ("MyPay | X",
// "MyPivot |"): they are gathered into the choice's value.
func frFill(f *Form, items []frItem, fromBody bool) {
	lm := matcherFor(f.Type)
	// Values the document names by field key (mailbot's own forms) are read by identity first;
	// neither their fields nor the values themselves (the cell that holds the control) are
	// matched by label again. Choices go through the choice grammar.
	byKey, byValue := map[string]bool{}, map[string]bool{}
	for _, it := range items {
		if it.key == "" || !it.pair {
			continue
		}
		fd, ok := lm.key(it.key)
		if !ok || fd.isChoice() {
			continue
		}
		byKey[fd.Key] = true
		if v := tfClean(it.value); v != "" {
			it.how = HowIdentity
			f.put(fd, it, v, fromBody)
			byValue[v] = true
		}
	}
	sec := ""            // key prefix of the section the items stand in, "" outside any
	var choice *frChoice // the choice whose options may follow
	for _, it := range items {
		if choice != nil && choice.takes(f, it, fromBody) {
			continue
		}
		choice.finish(f)
		choice = nil
		label := it.label
		v := tfClean(it.value)
		if !it.pair {
			if p, heading := lblSectionHeadingRead(label, it.in); heading {
				sec = p
			}
			// A choice's label alone on its line, its options below.
			if fd, _, ok := lm.matchRead(label, it.in); ok && fd.isChoice() && tfSplitLabelOnly(label) {
				choice = &frChoice{fd: fd, it: it}
			}
			continue
		}
		if v == "" {
			if p, heading := lblSectionHeadingRead(label, it.in); heading && p != "" {
				sec = p // "Referente dei pagamenti:" with nothing after it
				continue
			}
		} else if frIsCaption(it.in.toks) {
			if p, heading := lblSectionHeading(v); heading {
				sec = p // "Tabella 2: Referente dei pagamenti"
				continue
			}
		} else if p := frSectionLabel(label); p != "" && f.putPerson(lm, p, it, v, fromBody) {
			sec = p
			continue
		}
		if it.key == "" && byValue[v] {
			continue
		}
		fd, doubt, ok := lm.resolve(label, it.in, v, sec)
		if !ok || byKey[fd.Key] {
			continue
		}
		if fd.isChoice() {
			choice = &frChoice{fd: fd, it: it}
			// A check box named after the field and its option: "Servizi richiesti MyPay" ☒.
			if mark, isMark := tfMarkValue(v); isMark && v != "" {
				if opt := fd.optionIn(label); opt != "" {
					v = opt + " " + mark
				}
			}
		}
		if v == "" {
			continue
		}
		if doubt != "" && it.sig.Kind == "" {
			it.sig = Signal{SigAmbiguousLabel, doubt}
		}
		f.put(fd, it, v, fromBody)
	}
	choice.finish(f)
}

// frSectionLabel is the section a pair's label names on its own ("Referente", "Payments
// contact / Referente dei pagamenti": one of a bilingual label's halves), "" when none.
func frSectionLabel(label string) string {
	for rest, more := label, true; more; {
		var part string
		part, rest, more = strings.Cut(rest, " / ")
		if p, _ := lblSectionHeading(part); p != "" {
			return p
		}
	}
	return ""
}

// putPerson reads a person written whole beside the name of their section ("Referente dei
// pagamenti: Francesca Menegus"): two words are the first name and the surname, both for a
// person to confirm, since the order is a guess; any other value is not read.
func (f *Form) putPerson(lm *lblMatcher, sec string, it frItem, v string, fromBody bool) bool {
	nome, okN := lm.byKey[sec+"nome"]
	cognome, okC := lm.byKey[sec+"cognome"]
	words := strings.Fields(v)
	if !okN || !okC || len(words) != 2 || strings.ContainsFunc(v, func(r rune) bool { return !unicode.IsLetter(r) && r != ' ' && r != '\'' }) {
		return false
	}
	if _, read := f.Fields[nome.Key]; read {
		return false
	}
	if _, read := f.Fields[cognome.Key]; read {
		return false
	}
	it.sig = Signal{SigTwoValues, say.Text("doubt.person_whole", tfQuote(v))}
	f.put(nome, it, words[0], fromBody)
	f.put(cognome, it, words[1], fromBody)
	return true
}

// frIsCaption reports whether a label only numbers a table or section: "Tabella 2", "Sezione B".
func frIsCaption(toks []string) bool {
	for _, w := range toks {
		if !lblHeadingFiller[w] && utf8.RuneCountInString(w) > 1 && !lblDigits(w) {
			return false
		}
	}
	return len(toks) > 0
}

// put adds a value read from it to field fd.
func (f *Form) put(fd Field, it frItem, v string, fromBody bool) {
	if _, seen := f.Provenance[fd.Key]; !seen {
		f.Provenance[fd.Key] = itemProvenance(it, f.Source, fromBody)
	} else {
		p := f.Provenance[fd.Key]
		if p.How != HowFormField && strings.Contains(it.value, fieldMark) {
			p.How = HowFormField // a check box ticked in a form field further on
		}
		p.Evidence.add(it.sig)
		f.Provenance[fd.Key] = p
	}
	if frIsList(fd.Kind) {
		old, _ := f.Fields[fd.Key].([]string)
		if !slices.Contains(old, v) {
			f.Fields[fd.Key] = append(old, v)
		}
		return
	}
	old, _ := f.Fields[fd.Key].(string)
	switch {
	case old == "":
		f.Fields[fd.Key] = v
	case !slices.Contains(strings.Split(old, "\n"), v):
		// The same label twice (several "tipi dovuto"): keep every value, one per line.
		f.Fields[fd.Key] = old + "\n" + v
		if !strings.HasPrefix(fd.Key, "tipi_dovuto.") && fd.Kind == KindText {
			// One thing per field anywhere else: a second referent (a substitute) written
			// under the same labels is two people, not one.
			p := f.Provenance[fd.Key]
			p.Evidence.add(Signal{SigTwoValues, say.Text("doubt.two_under_label", tfQuote(old+" / "+v))})
			f.Provenance[fd.Key] = p
		}
	}
}

// isChoice reports whether a field's value is chosen among options.
func (fd Field) isChoice() bool {
	return fd.Kind == KindServices || fd.Kind == KindYesNo || fd.Options != nil
}

// tfSplitLabelOnly reports whether a line is only a label (no "label: value" on it).
func tfSplitLabelOnly(line string) bool {
	_, v, ok := tfSplitLabel(line)
	return !ok || strings.TrimSpace(v) == ""
}

// frChoice is a choice field whose options may follow its label, one per item.
type frChoice struct {
	fd     Field
	it     frItem // the label's item, for provenance
	added  bool   // an option row was gathered: the next value goes on the same entry
	listed int    // options gathered with no mark beside them
	marked bool   // some mark was seen, on the label's row or an option's
}

// finish ends the gathering of a choice: options listed row after row with no mark anywhere
// are the blank form's list (the ticks were lost, in a picture or a printed box), not a choice.
func (c *frChoice) finish(f *Form) {
	if c == nil || c.listed == 0 || c.marked || tfHasMark(c.it.value) {
		return
	}
	if _, ok := f.Fields[c.fd.Key]; ok {
		f.against(c.fd.Key, Signal{SigMarks, say.Text("doubt.options_unmarked")})
	}
}

// tfHasMark reports whether a value holds a check-box mark or a lone "X".
// tfMaybeMark reports whether v may hold a match of tfMarkRe: a bracket, or a character
// outside ASCII (every box and tick is).
func tfMaybeMark(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c == '[' || c == '(' || c >= 0x80 {
			return true
		}
	}
	return false
}

func tfHasMark(v string) bool {
	return tfMarkRe.MatchString(v) || tfBareXRe.MatchString(v)
}

// takes gathers it into the choice if it is one of its options: a line ("MyPivot", "☒ MyPay")
// or a pair of the option and its mark ("MyPay" | "X"). The value is written back as the
// grammar reads it, "MyPay ☒".
func (c *frChoice) takes(f *Form, it frItem, fromBody bool) bool {
	var text string
	switch {
	case !it.pair || tfClean(it.label) == "" && tfClean(it.value) != "":
		line := it.label
		if it.pair {
			line = it.value // a row whose label cell is merged with the one above
		}
		if m, ok := tfMarkValue(line); ok && tfClean(line) != "" {
			text = m // a tick alone on its line, for the option above
			break
		}
		if !c.fd.isOption(line) {
			return false
		}
		text = line
	default:
		mark, ok := tfMarkValue(it.value)
		if !ok || !c.fd.isOption(it.label) {
			return false
		}
		if fd, _, same := matcherFor(f.Type).matchRead(it.label, it.in); same && fd.Key == c.fd.Key {
			return false // "Modalità di attivazione caricamento flussi" | ☒: the field's own check box
		}
		text = tfClean(it.label) + " " + mark
	}
	key := c.fd.Key
	if _, seen := f.Provenance[key]; !seen {
		f.Provenance[key] = itemProvenance(c.it, f.Source, fromBody)
	}
	if strings.Contains(it.value+it.label, fieldMark) {
		p := f.Provenance[key]
		p.How = HowFormField
		f.Provenance[key] = p
	}
	text = tfClean(text)
	if tfHasMark(text) {
		c.marked = true
	} else {
		c.listed++
	}
	if frIsList(c.fd.Kind) {
		old, _ := f.Fields[key].([]string)
		if n := len(old); n > 0 {
			old[n-1] += "\n" + text
		} else {
			old = []string{text}
		}
		f.Fields[key] = old
	} else if old, _ := f.Fields[key].(string); old != "" {
		f.Fields[key] = old + "\n" + text
	} else {
		f.Fields[key] = text
	}
	c.added = true
	return true
}

// isOption reports whether text (marks aside) is one of the field's options.
func (fd Field) isOption(text string) bool {
	t := text
	if tfMaybeMark(t) {
		t = tfMarkRe.ReplaceAllString(t, " ")
	}
	t = tfClean(t)
	if t == "" || len(strings.Fields(t)) > 8 {
		return false
	}
	switch {
	case fd.Kind == KindServices:
		p, q := tfServiceWords(t)
		return (p || q) && len(strings.Fields(t)) <= 3
	case fd.Kind == KindYesNo:
		w := strings.ToLower(lblAccents.Replace(strings.Trim(t, " .")))
		return w == "si" || w == "no"
	}
	n := lblNorm(t)
	for _, o := range fd.Options {
		if on := lblNorm(o); n != "" && (strings.Contains(n, on) || strings.Contains(on, n)) {
			return true
		}
	}
	return false
}

// optionIn returns the option of the field a label ends with ("Servizi richiesti MyPay" gives
// "MyPay"), "" if none.
func (fd Field) optionIn(label string) string {
	switch fd.Kind {
	case KindServices:
		p, q := tfServiceWords(label)
		switch {
		case p && !q:
			return ServiceMyPay
		case q && !p:
			return ServiceMyPivot
		}
		return ""
	case KindYesNo:
		w := strings.Fields(strings.ToLower(lblAccents.Replace(label)))
		if n := len(w); n > 1 && (w[n-1] == "si" || w[n-1] == "no") {
			return w[n-1]
		}
		return ""
	}
	n := " " + lblNorm(label) + " "
	for _, o := range fd.Options {
		if strings.Contains(n, " "+lblNorm(o)+" ") {
			return o
		}
	}
	return ""
}

// tfMarkValue reads a cell or value that is only a mark: "X", "✓", "[X]", "sì" tick the
// option beside it; an empty one, "☐" or "no" leave it.
func tfMarkValue(v string) (string, bool) {
	t := tfClean(v)
	if len(t) > 9 {
		// Every mark below is at most 3 bytes; lowering and folding shrink a character to a
		// third of its bytes at most (the Kelvin sign to "k").
		return "", false
	}
	t = strings.ToLower(lblAccents.Replace(t))
	switch t {
	case "x", "✓", "✔", "☒", "☑", "■", "⌧", "✗", "✘", "[x]", "(x)", "si", "yes":
		return markOn, true
	case "", "☐", "□", "❏", "▢", "◻", "no":
		return markOff, true
	}
	return "", false
}

// itemProvenance is the provenance of a value read from it in the document named source.
func itemProvenance(it frItem, source string, fromBody bool) Provenance {
	how := it.how
	if strings.Contains(it.value, fieldMark) && how != HowIdentity {
		how = HowFormField // what a form control or legacy form field holds
	}
	if how == "" {
		how = HowLine
		if fromBody {
			how = HowBody
		}
	}
	p := Provenance{Document: source, Where: it.where, Label: strings.TrimSpace(it.label), How: how}
	p.Evidence.add(it.sig)
	return p
}

// frFillsRequired reports whether the pairs fill a required field of spec.
func frFillsRequired(spec FormSpec, items []frItem) bool {
	lm := lblMatchers[spec.Type]
	for _, it := range items {
		if !it.pair || tfClean(it.value) == "" {
			continue
		}
		if f, _, ok := lm.match(it.label); ok && f.Required {
			return true
		}
	}
	return false
}

func frIsList(kind string) bool {
	return kind == KindList || kind == KindServices || kind == KindIPs
}

// frValues returns a field value as a list of strings, whatever its stored type.
func frValues(v any) []string {
	switch x := v.(type) {
	case nil:
		return nil
	case string:
		return []string{x}
	case []string:
		return x
	case []any:
		var out []string
		for _, e := range x {
			out = append(out, fmt.Sprint(e))
		}
		return out
	default:
		return []string{fmt.Sprint(x)}
	}
}

// CheckForm validates every field of f by its Kind, normalising values in place (CF uppercased,
// IBAN without spaces, services as "MyPay"/"MyPivot", IPs canonical, dates gg/mm/aaaa, yes/no as
// "sì"/"no"; a codice IPA is kept as written: compare it with strings.EqualFold), and appends a
// Problem for each value that fails its check. Failing values stay as written, except IP
// addresses: only public ones stay in the list, since it becomes an allow-list. Fields unknown
// to the form are kept, trimmed. Calling it twice adds no duplicate problems.
func CheckForm(f *Form) {
	if f.Fields == nil {
		f.Fields = map[string]any{}
	}
	if f.Problems == nil {
		f.Problems = []Problem{}
	}
	if f.Provenance == nil {
		f.Provenance = map[string]Provenance{}
	}
	defer func() {
		for k := range f.Provenance {
			if _, ok := f.Fields[k]; !ok {
				delete(f.Provenance, k)
			}
		}
		f.settle()
	}()
	lm := matcherFor(f.Type)
	// Problems in the order of the printed form, unknown keys last: each key's place looked up
	// once, not at every comparison.
	keys := make([]placedKey, 0, len(f.Fields))
	for k := range f.Fields {
		at := lm.order[k]
		if at == 0 {
			at = len(lm.order) + 1
		}
		keys = append(keys, placedKey{k, at})
	}
	slices.SortFunc(keys, func(a, b placedKey) int {
		return cmp.Or(cmp.Compare(a.at, b.at), strings.Compare(a.key, b.key))
	})
	for _, pk := range keys {
		k := pk.key
		fd, ok := lm.byKey[k]
		if !ok {
			fd, ok = lblMatchers[""].byKey[k]
		}
		if !ok {
			fd = Field{Key: k, Label: k, Kind: KindText}
		}
		frCheckField(f, fd) // keeps or deletes its own key, adds none
	}
	// In key order, so that a value's signals, and the doubt told to staff, read the same
	// every time. Neither adds a key before the other reads them.
	sorted := make([]string, 0, len(keys))
	for _, pk := range keys {
		if _, ok := f.Fields[pk.key]; ok {
			sorted = append(sorted, pk.key)
		}
	}
	slices.Sort(sorted)
	frSameText(f, lm, sorted)
	frBesideSiblings(f, lm, sorted)
}

// placedKey is a field's key and its place on the printed form (CheckForm).
type placedKey struct {
	key string
	at  int
}

// Legal forms of a company: an ente (a public body) never has one, and a company's name ends
// with it.
var legalForm = regexp.MustCompile(`(?i)\b(?:s\.\s?r\.\s?l|s\.\s?p\.\s?a|s\.\s?n\.\s?c|s\.\s?a\.\s?s|srl|spa|snc|sas|soc\.\s?coop)\b\.?`)

// legalFormIn is legalForm.FindStringIndex(v), asked only of a value where an s (in any case,
// or the long s that folds to it) comes right before what each alternative has after its s: a
// dot, r, p, n, a or o.
func legalFormIn(v string) []int {
	for i := 0; i < len(v); i++ {
		next := i + 1
		switch {
		case v[i] == 's' || v[i] == 'S':
		case v[i] == 0xC5 && next < len(v) && v[next] == 0xBF: // ſ
			next++
		default:
			continue
		}
		if next < len(v) && strings.IndexByte(".rRpPnNaAoO", v[next]) >= 0 {
			return legalForm.FindStringIndex(v)
		}
	}
	return nil
}

// frBesideSiblings reads each free-text value beside the other fields of its section: what
// only a neighbour's place explains is evidence against the reading.
func frBesideSiblings(f *Form, lm *lblMatcher, keys []string) {
	ends := map[string]string{} // a value as the end of another is looked for, by the value
	for _, k := range keys {
		raw := f.Fields[k]
		fd, ok := lm.byKey[k]
		v, isText := raw.(string)
		if !ok || !isText || fd.Kind != KindText || strings.Contains(v, "\n") {
			continue
		}
		sec, words := lblKeySection(k), strings.Fields(v)
		if len(words) < 2 {
			continue
		}
		// A label of the same section inside: "Cognome Furlan" as the first name, "tel. 041…",
		// "EntiPay versione 5.0" as the product's name.
		for i, w := range words[:len(words)-1] {
			if g, score, ok := lm.match(strings.TrimRight(w, ":")); ok && score >= 10000 && sec != "" && lblKeySection(g.Key) == sec && (i == 0 || g.Key != k) {
				f.against(k, Signal{SigLabel, say.Text("doubt.label_in_value", tfQuote(v), w)})
				break
			}
		}
		// A label that names a sibling too: "Nome e cognome" read as the first name.
		if lw := strings.Fields(f.Provenance[k].Label); sec != "" {
			for _, w := range lw {
				if w = strings.Trim(w, ":*"); strings.EqualFold(w, strings.TrimSuffix(sec, ".")) {
					continue // the section's own name: "Ente: indirizzo"
				}
				if g, score, ok := lm.match(w); ok && score >= 10000 && g.Key != k && lblKeySection(g.Key) == sec && g.Kind == KindText {
					sig := Signal{SigTwoValues, "l'etichetta «" + f.Provenance[k].Label + "» indica anche «" + g.Label + "»: due valori in uno"}
					f.against(k, sig)
					// "Nome e cognome: Giulia Zanon": two words are one for each field, in the
					// label's order, both for a person to confirm; more words ("Paolo Dal
					// Zotto") could split anywhere and stay whole.
					if _, has := f.Fields[g.Key]; !has && len(words) == 2 {
						mine, theirs := words[0], words[1]
						if strings.EqualFold(strings.Trim(lw[0], ":*"), w) {
							mine, theirs = theirs, mine // "Cognome e nome: Zanon Giulia"
						}
						f.Fields[k], f.Fields[g.Key] = mine, theirs
						p := f.Provenance[k]
						f.Provenance[g.Key] = Provenance{Document: p.Document, Where: p.Where, Label: p.Label, How: p.How, Evidence: Evidence{Against: []Signal{sig}}}
					}
					break
				}
			}
		}
		// A sibling's value at the end: "Roberta Dal Lago" as the first name beside the surname
		// "Dal Lago", "EntiPay versione 5.0" beside the version "5.0".
		mine := ""
		for _, o := range keys {
			oraw := f.Fields[o]
			ov, _ := oraw.(string)
			ofd, ok := lm.byKey[o]
			if o == k || !ok || ofd.Kind != KindText || sec == "" || lblKeySection(o) != sec || strings.TrimSpace(ov) == "" {
				continue
			}
			if strings.HasSuffix(o, ".codice") {
				continue // a description names its code: "Imposta di soggiorno" beside SOGGIORNO
			}
			if mine == "" {
				mine = strings.ToLower(" " + strings.Join(words, " "))
			}
			theirs, seen := ends[ov]
			if !seen {
				theirs = " " + strings.ToLower(strings.Join(strings.Fields(ov), " "))
				ends[ov] = theirs
			}
			if strings.HasSuffix(mine, theirs) {
				f.against(k, Signal{SigTwoValues, say.Text("doubt.ends_with_other", tfQuote(v), ofd.Label, tfQuote(ov))})
			}
		}
		switch m := legalFormIn(v); {
		case m != nil && sec == "ente.":
			f.against(k, Signal{SigShape, say.Text("doubt.company", tfQuote(v))})
		case m != nil && strings.Trim(v[m[1]:], " .,;–—-") != "":
			f.against(k, Signal{SigTwoValues, say.Text("doubt.after_company_form", tfQuote(v))})
		}
		// A code is one word: "REFEZIONE - Refezione scolastica" is a code and its description.
		if strings.HasSuffix(k, ".codice") {
			f.against(k, Signal{SigTwoValues, say.Text("doubt.code_and_description", tfQuote(v))})
		}
	}
}

// frSameText marks free-text values (names, denominazioni) that two fields of different
// sections share: one of them was read from the other's place (the software house's name
// taken for the ente's under a merged heading), and nothing says which.
func frSameText(f *Form, lm *lblMatcher, keys []string) {
	seen := map[string]string{} // normalised value -> first key
	for _, k := range keys {
		fd, ok := lm.byKey[k]
		if !ok || fd.Kind != KindText {
			continue
		}
		v, _ := f.Fields[k].(string)
		n := strings.ToLower(strings.Join(strings.Fields(v), " "))
		if len([]rune(n)) < 4 {
			continue
		}
		other, dup := seen[n]
		if !dup {
			seen[n] = k
			continue
		}
		if lblKeySection(other) == lblKeySection(k) {
			continue
		}
		note := say.Text("doubt.also_value_of", tfQuote(v), lm.byKey[other].Label)
		f.against(k, Signal{SigOtherField, note})
		f.against(other, Signal{SigOtherField, say.Text("doubt.also_value_of", tfQuote(v), fd.Label)})
	}
}

func (f *Form) addProblem(key, value, msg string) {
	p := Problem{Field: key, Value: value, Message: msg}
	if !slices.Contains(f.Problems, p) {
		f.Problems = append(f.Problems, p)
	}
}

func (f *Form) addIdentProblem(fd Field, e *IdentifierError) {
	f.addProblem(fd.Key, e.Value, tfProblemText(fd.Label, e))
}

// frCheckField normalises and checks one field.
func frCheckField(f *Form, fd Field) {
	vals := frValues(f.Fields[fd.Key])
	if f.doubtful(fd.Key) && tfClean(strings.Join(vals, "")) == "" {
		return // an uncertain empty choice stays for a person to see
	}
	switch fd.Kind {
	case KindList:
		items, doubt := tfSplitList(vals, fd.Options)
		var sig Signal
		if doubt != "" {
			sig = Signal{SigMarks, doubt}
		}
		for _, it := range items {
			if slices.ContainsFunc(fd.Options, func(o string) bool { return strings.EqualFold(o, it) }) {
				continue // one of the field's own options, whatever words it shares with labels
			}
			if fd.Options != nil && sig.Kind == "" {
				// A closed list: what is not one of its options is a note read with it
				// ("solo da gestionale" in the next column).
				sig = Signal{SigShape, say.Text("doubt.not_an_option", tfQuote(it))}
			}
			d := labelInValue(it)
			if d.Kind == "" && tfIsExactLabel(it) {
				d = Signal{SigLabel, say.Text("doubt.option_is_label", tfQuote(it))}
			}
			if d.Kind != "" && sig.Kind == "" {
				sig = d
			}
		}
		switch {
		case sig.Kind != "":
			// Kept, even empty: a person says what was chosen.
			f.Fields[fd.Key] = append([]string{}, items...)
			f.against(fd.Key, sig)
		case len(items) > 0:
			f.Fields[fd.Key] = items
		default:
			delete(f.Fields, fd.Key)
		}
		return
	case KindServices:
		s, ok, doubt := tfServices(vals)
		if doubt != "" {
			f.Fields[fd.Key] = append([]string{}, s...)
			f.against(fd.Key, Signal{SigMarks, doubt})
			return
		}
		if !ok {
			if raw := tfClean(strings.Join(vals, " ")); raw != "" {
				// Neither service named: something else was read here.
				f.Fields[fd.Key] = []string{}
				f.against(fd.Key, Signal{SigShape, say.Text("doubt.no_service", tfQuote(raw))})
				return
			}
			delete(f.Fields, fd.Key)
			return
		}
		f.Fields[fd.Key] = s
		return
	case KindIPs:
		ips, bad, odd := tfIPs(vals)
		for _, e := range bad {
			f.addIdentProblem(fd, e)
		}
		if len(odd) > 0 {
			f.Fields[fd.Key] = append([]string{}, ips...)
			f.against(fd.Key, Signal{SigShape, tfImplausible(KindIPs, strings.Join(odd, " "))})
			return
		}
		if len(ips) > 0 {
			f.Fields[fd.Key] = ips
		} else {
			delete(f.Fields, fd.Key)
		}
		return
	case KindYesNo:
		v := tfClean(strings.Join(vals, " "))
		if v == "" {
			delete(f.Fields, fd.Key)
			return
		}
		y, ok, doubt := tfYesNo(v)
		var sig Signal
		if doubt != "" {
			sig = Signal{SigMarks, doubt}
		}
		if d := labelInValue(v); d.Kind != "" {
			ok, sig = false, d
		}
		switch {
		case sig.Kind != "":
			f.Fields[fd.Key] = v // as written: a person reads it
			f.against(fd.Key, sig)
		case ok:
			f.Fields[fd.Key] = y
		case len(strings.Fields(v)) > 2 || tfDateishRe.MatchString(v):
			// Not an answer at all (a date, a sentence): read from the wrong place.
			f.Fields[fd.Key] = v
			f.against(fd.Key, Signal{SigShape, say.Text("doubt.not_yesno_shape", tfQuote(v))})
		case f.Provenance[fd.Key].How == HowFormField || f.Provenance[fd.Key].How == "":
			// Written in the field itself (or given with no reading at all): a wrong answer.
			f.Fields[fd.Key] = v
			f.addIdentProblem(fd, identErr(KindYesNo, v, "ident.yesno"))
		default:
			// Neither yes nor no beside a label ("Saluti" under the last line of a form in a
			// body): more likely read from the wrong place than a wrong answer.
			f.Fields[fd.Key] = v
			f.against(fd.Key, Signal{SigShape, say.Text("doubt.not_yesno", tfQuote(v))})
		}
		return
	}
	v := tfClean(strings.Join(vals, "\n"))
	if v == "" {
		delete(f.Fields, fd.Key)
		return
	}
	if fd.Kind != KindText && fd.Kind != KindYesNo {
		// A code or an address ends a sentence as often as not: "c_l781." is c_l781.
		v = strings.TrimRight(v, ".;,")
	}
	var check func(string) (string, error)
	switch fd.Kind {
	case KindCFEnte:
		check = CheckCFEnte
	case KindPIVA:
		check = CheckPIVA
	case KindCFPerson:
		check = CheckCFPerson
	case KindIPA:
		check = CheckIPA
	case KindIBAN:
		check = CheckIBAN
	case KindEmail:
		check = CheckEmail
	case KindPEC:
		check = CheckPEC
	case KindURL:
		check = tfCheckURL
	case KindDate:
		check = func(s string) (string, error) {
			if d, ok := tfDate(s); ok {
				return d, nil
			}
			return "", identErr(KindDate, strings.TrimSpace(s), "ident.date")
		}
	default:
		if sig := labelInValue(v); sig.Kind != "" {
			f.against(fd.Key, sig)
		} else if !tfPlausible(fd.Kind, v) {
			f.against(fd.Key, Signal{SigShape, tfImplausible(fd.Kind, v)})
		}
		f.Fields[fd.Key] = v
		return
	}
	// One value per line: a form may list several IBANs for several tipi dovuto.
	lines := strings.Split(v, "\n")
	if fd.Kind == KindDate {
		lines = []string{strings.Join(lines, " ")}
	}
	if len(lines) > 1 && fd.Kind != KindIBAN {
		// One code, several lines: a note beside it ("16 caratteri"), or a neighbour's
		// value. Nothing here is told to the referent; a person reads it.
		if !slices.ContainsFunc(f.Provenance[fd.Key].Evidence.Against, func(s Signal) bool { return s.Kind == SigTwoValues }) {
			f.against(fd.Key, Signal{SigTwoValues, say.Text("doubt.several_lines", tfQuote(strings.Join(lines, " / ")))})
		}
		f.Fields[fd.Key] = v
		return
	}
	for i, l := range lines {
		if sig := labelInValue(l); sig.Kind != "" {
			f.against(fd.Key, sig)
			continue
		}
		if !tfPlausible(fd.Kind, l) {
			// Not a wrong value of this kind but likely another thing read in its place: a
			// person looks, the referent is told nothing.
			f.against(fd.Key, Signal{SigShape, tfImplausible(fd.Kind, l)})
			continue
		}
		if padded, ok := zeroPadded(fd.Kind, l); ok {
			// A spreadsheet cell formatted as a number drops the leading zeros of a codice
			// fiscale ("00339370272" typed, 339370272 stored): padded, it passes its check, but
			// a person confirms it rather than mailbot asserting it.
			lines[i] = padded
			f.against(fd.Key, Signal{SigRepaired, say.Text("doubt.lost_zeros", tfQuote(l), padded)})
			continue
		}
		n, err := check(l)
		f.checked(fd.Key, err == nil)
		if err != nil {
			var ie *IdentifierError
			if errors.As(err, &ie) {
				f.addIdentProblem(fd, ie)
			} else {
				f.addProblem(fd.Key, l, err.Error())
			}
			continue
		}
		lines[i] = n
	}
	f.Fields[fd.Key] = strings.Join(lines, "\n")
}

// labelInValue is the doubt about a value that begins with another field's label ("Tipo
// dovuto: VOTIVE" read as the activation mode, "Cognome: Righetti" as the first name): a
// label is never a value, so the reading took a neighbouring line or cell. Zero when none.
func labelInValue(v string) Signal {
	doubt := func(line string) Signal {
		return Signal{SigLabel, say.Text("doubt.other_label", tfQuote(line))}
	}
	several := strings.Contains(v, "\n")
	for rest, more := v, true; more; {
		var line string
		line, rest, more = strings.Cut(rest, "\n")
		line = strings.TrimSpace(line)
		// "Tipo dovuto ........ SERV_SOC": dot leaders stand for the colon.
		if strings.Contains(line, "...") || strings.Contains(line, "…") || strings.Contains(line, "___") {
			if m := dotLeaders.FindStringIndex(line); m != nil && m[0] > 0 {
				line = line[:m[0]] + ": " + line[m[1]:]
			}
		}
		if label, _, ok := tfSplitLabel(line); ok {
			// The label may follow a section name: "Referente pagamenti – Cognome".
			parts := strings.FieldsFunc(label, func(r rune) bool { return r == '–' || r == '—' || r == '|' })
			if lblIsLabel(label) || len(parts) > 1 && lblIsLabel(parts[len(parts)-1]) {
				return doubt(line)
			}
		}
		// A table's header row ("Codice | Descrizione | IBAN" under "Tipi di dovuto"): the
		// values are in the rows below it.
		if !strings.ContainsAny(line, "|\t") {
			// One cell: no header row.
		} else if cells := strings.FieldsFunc(line, func(r rune) bool { return r == '|' || r == '\t' }); len(cells) > 1 && frHeaderRow(cells) {
			return Signal{SigHeader, say.Text("doubt.table_header", tfQuote(line))}
		}
		// A label on a line of its own inside a value ("E-mail\na.furlan@…": a box cell
		// whose caption stands above its value) means a neighbour's cell was read.
		if several && tfIsExactLabel(line) {
			return doubt(strings.ReplaceAll(v, "\n", " "))
		}
		// A label of several words with no colon before a value ("E-mail software house
		// help@…" read as the company's name). One word is too often a value's own word
		// ("Azienda ULSS", "Servizio mensa") to count.
		if tfWordCount(line) > 2 && tfLabelRun(strings.Fields(line)) {
			return doubt(line)
		}
		// Another code named inside a value: "Piave Software S.r.l. – P. IVA 04555666272",
		// "Comune di San Donà (C.F. 00…, IPA c_h823)": two values, one field.
		if !strings.ContainsAny(line, "–—-(,;") {
			continue // one segment: no second code
		}
		for _, seg := range valueSegments.Split(line, -1)[1:] {
			if f, ok := codeLabelAt(seg); ok {
				return Signal{SigTwoValues, tfQuote(line) + " contiene anche " + f + ": due valori in uno"}
			}
		}
	}
	return Signal{}
}

var (
	dotLeaders    = regexp.MustCompile(`\s*(?:\.{3,}|…+|_{3,})\s*`)
	valueSegments = regexp.MustCompile(`\s+[–—-]\s+|\s*[(,;]\s*`)
)

// codeLabelAt reports whether seg begins with the label of an identifier (codice fiscale,
// partita IVA, IPA, PEC, IBAN) followed by something, and names it.
func codeLabelAt(seg string) (string, bool) {
	words := strings.Fields(seg)
	for n := min(3, len(words)-1); n >= 1; n-- {
		f, score, ok := lblMatchers[""].match(strings.Join(words[:n], " "))
		if !ok || score < 10000 {
			continue
		}
		switch f.Kind {
		case KindCFEnte, KindCFPerson, KindPIVA, KindIPA, KindPEC, KindIBAN:
			return "«" + strings.Join(words[:n], " ") + "»", true
		}
	}
	return "", false
}

// zeroPadded is v with the leading zeros back, when v is a codice fiscale or partita IVA of
// 8 to 10 digits that passes its check once padded to 11.
func zeroPadded(kind, v string) (string, bool) {
	if kind != KindCFEnte && kind != KindPIVA {
		return "", false
	}
	c := identCompact(v)
	if len(c) < 8 || len(c) > 10 || !identAllDigits(c) {
		return "", false
	}
	padded := strings.Repeat("0", 11-len(c)) + c
	if _, err := checkElevenDigits(kind, padded); err != nil {
		return "", false
	}
	return padded, true
}

// MissingFields lists the keys of the Required fields of f's form type that are absent or empty
// in f, in the order of the printed form (FieldLabel gives their labels). A form of unknown type
// misses nothing that can be named.
func MissingFields(f Form) []string {
	spec := Spec(f.Type)
	if spec == nil {
		return nil
	}
	var out []string
	for _, fd := range spec.Fields {
		if !fd.Required {
			continue
		}
		empty := true
		for _, v := range frValues(f.Fields[fd.Key]) {
			if strings.TrimSpace(v) != "" {
				empty = false
				break
			}
		}
		if empty {
			out = append(out, fd.Key)
		}
	}
	return out
}

// CheckIP reports whether s is a public caller address or CIDR; the error is an Italian sentence.
func CheckIP(s string) error {
	_, err := NormalizeIP(s)
	return err
}
