package parsers

import (
	"slices"
	"strings"
)

// Readers report evidence; one function, decide, turns it into confidence. A reader never sets
// Provenance.Sure: it says where a value stood (Provenance.How), whether the value passed the
// check of its kind, and what speaks against the reading (a Signal). CheckForm settles every
// provenance once the form is read, so why a value is sure can always be told from its evidence.

// SignalKind names one kind of evidence that a reading may be wrong.
type SignalKind string

// Kinds of evidence against a reading. The rule for each is in calibration.
const (
	// SigLabel: the value holds another field's label ("Cognome Furlan" read as the first name),
	// so a neighbouring line or cell was read.
	SigLabel SignalKind = "label_in_value"
	// SigHeader: the value is a table's header row, not one of its rows.
	SigHeader SignalKind = "table_header"
	// SigTwoValues: the value holds two things where one belongs (two people, two codes, a
	// name and its role, a code and its description).
	SigTwoValues SignalKind = "two_values"
	// SigOtherField: the value is another field's value too (the software house's name read as
	// the ente's), or contains it (a first name holding the surname).
	SigOtherField SignalKind = "other_field"
	// SigShape: the value does not look like its kind (a date in an IP field).
	SigShape SignalKind = "shape"
	// SigMarks: check marks that cannot be told from blanks, or none ticked.
	SigMarks SignalKind = "marks"
	// SigAmbiguousLabel: a label that can mean two fields, outside any section.
	SigAmbiguousLabel SignalKind = "ambiguous_label"
	// SigRepaired: the value passes its check only once repaired (zeros a spreadsheet dropped).
	SigRepaired SignalKind = "repaired"
	// SigHidden: text not shown to a reader of the document (an invisible OCR layer, a deleted
	// tracked change).
	SigHidden SignalKind = "hidden"
	// SigProse: the label and value are words of a sentence that a printed, justified
	// paragraph spread into what looks like a table row (a cover letter, not a form).
	SigProse SignalKind = "prose"
	// SigWrapped: the value may go on on the next line (a mail client wrapped it), so where it
	// ends is a guess.
	SigWrapped SignalKind = "wrapped"
)

// Signal is one piece of evidence against a reading, with a note for staff in Italian.
type Signal struct {
	Kind SignalKind `json:"kind"`
	Note string     `json:"note"`
}

// Check results of a value's kind (Evidence.Check).
const (
	CheckNone   = ""       // the kind has no check (names, free text)
	CheckPassed = "passed" // check digits, syntax or range passed
	CheckFailed = "failed" // the value fails its check: a Problem for the referent
)

// Evidence is what the readers saw of one value.
type Evidence struct {
	Check   string   `json:"check,omitempty"`   // a Check* constant
	Against []Signal `json:"against,omitempty"` // what speaks against the reading
}

type calibrationRule struct {
	kind SignalKind
	why  string
}

// calibration is the rule from evidence to confidence, one row per kind of signal: a value with
// any of them is never sure from this reading. Only another source read with confidence that
// states the same value (the other form of the case, a later message, the registry of enti:
// ticketing's case file) makes it sure. The README's "How sure mailbot is" table copies it;
// TestCalibrationTableInREADME keeps them equal.
var calibration = []calibrationRule{
	{SigLabel, "another field's label inside the value: a neighbour was read"},
	{SigHeader, "a table's header row, not a value"},
	{SigTwoValues, "two people, codes or things in one field"},
	{SigOtherField, "the same text is another field's value"},
	{SigShape, "does not look like its kind"},
	{SigMarks, "ticks that cannot be told from blanks, or none"},
	{SigAmbiguousLabel, "a label that can mean two fields"},
	{SigRepaired, "valid only once repaired (lost leading zeros)"},
	{SigHidden, "text a reader of the document does not see"},
	{SigProse, "words of a printed sentence, not a form's row"},
	{SigWrapped, "the next line may continue the value (a wrapped line)"},
}

// decide is the one place a reading becomes sure: with no evidence against it. A value that
// fails its kind's check is sure as read (the referent is told it is invalid) only when nothing
// else speaks against the reading. doubt joins the notes for staff.
func decide(e Evidence) (sure bool, doubt string) {
	if len(e.Against) == 0 {
		return true, ""
	}
	notes := make([]string, 0, len(e.Against))
	for _, s := range e.Against {
		if s.Note != "" && !slices.Contains(notes, s.Note) {
			notes = append(notes, s.Note)
		}
	}
	return false, strings.Join(notes, "; ")
}

// against records evidence against the reading of key. A value read by identity (its field
// named by key in mailbot's own form) was not read from a neighbour or under a label that
// could mean another field: evidence of where it stood does not count against it; evidence of
// what it holds does.
func (f *Form) against(key string, s Signal) {
	p, ok := f.Provenance[key]
	if !ok {
		p = Provenance{Document: f.Source, How: HowLine}
	}
	if p.How == HowIdentity && s.Kind.placement() {
		return
	}
	p.Evidence.add(s)
	f.Provenance[key] = p
}

// placement reports whether a signal is evidence of where a value stood (a neighbour's value, a
// label meaning another field, a header, a sentence) rather than of what it holds.
func (k SignalKind) placement() bool {
	switch k {
	case SigLabel, SigAmbiguousLabel, SigOtherField, SigHeader, SigProse:
		return true
	}
	return false
}

// Placed reports whether the value was read from where its field stands: no evidence against
// the reading says that a neighbour, another field or a sentence was read. Only such a value
// can be settled by another source stating the same value for the same field (its sender's
// verified address: the case file).
func (e Evidence) Placed() bool {
	for _, s := range e.Against {
		if s.Kind.placement() {
			return false
		}
	}
	return true
}

func (e *Evidence) add(s Signal) {
	if s.Kind == "" || slices.Contains(e.Against, s) {
		return
	}
	e.Against = append(e.Against, s)
}

// checked records the result of key's kind check; one failing line fails the value.
func (f *Form) checked(key string, passed bool) {
	p, ok := f.Provenance[key]
	if !ok {
		p = Provenance{Document: f.Source, How: HowLine}
	}
	switch {
	case !passed:
		p.Evidence.Check = CheckFailed
	case p.Evidence.Check == CheckNone:
		p.Evidence.Check = CheckPassed
	}
	f.Provenance[key] = p
}

// doubtful reports whether anything speaks against the reading of key so far.
func (f *Form) doubtful(key string) bool {
	p, ok := f.Provenance[key]
	return ok && len(p.Evidence.Against) > 0
}

// settle sets Sure and Doubt of every provenance from its evidence.
func (f *Form) settle() {
	for k, p := range f.Provenance {
		p.Sure, p.Doubt = decide(p.Evidence)
		f.Provenance[k] = p
	}
}
