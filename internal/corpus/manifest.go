package corpus

import (
	"maps"
	"slices"
)

// Manifest is testdata/forms/corpus/manifest.json: every document and what a correct reader
// finds in it.
type Manifest struct {
	Comment   string     `json:"comment"`
	Documents []Document `json:"documents"`
}

// Document is one file of the corpus.
type Document struct {
	File     string `json:"file"`     // relative to the manifest
	Producer string `json:"producer"` // libreoffice, word-xml, outlook, gmail, body
	Layout   string `json:"layout"`   // table, paragraphs, sections, checkboxes, printed-pdf, xlsx-merged, ...
	Note     string `json:"note"`
	// Batch (held-out set only): documents written together; a later batch was written after
	// the readers changed in response to an earlier one, so only it is still held out for them.
	Batch string     `json:"batch,omitempty"`
	Forms []Expected `json:"forms"`
}

// Expected is one form a correct reader finds in the document.
type Expected struct {
	Type     string         `json:"type"`
	Source   string         `json:"source,omitempty"`   // for .eml: the attachment name or "corpo del messaggio"
	Fields   map[string]any `json:"fields"`             // string, or []string for services, IPs and lists
	Empty    []string       `json:"empty,omitempty"`    // written as "n.d.", "—", "____" or an empty field: no value
	Problems []string       `json:"problems,omitempty"` // keys whose value is deliberately invalid
	// Drawn: keys whose value is only drawn on the page (Word's legacy check boxes printed to
	// PDF are vector graphics, not text): a reader cannot see it, so it must not assert one;
	// found or missing, these do not count towards recall.
	Drawn []string `json:"drawn,omitempty"`
}

// expected builds the expectation of one form from full values: keys omitted or blank in the
// variant are dropped (blank ones listed as Empty), then override is applied (nil deletes).
func expected(typ string, full map[string]any, v variant, override map[string]any, problems []string) Expected {
	f := maps.Clone(full)
	var empty []string
	for _, k := range v.Omit {
		delete(f, k)
	}
	for k := range v.Blank {
		if _, ok := f[k]; ok {
			delete(f, k)
			empty = append(empty, k)
		}
	}
	for k, val := range override {
		if val == nil {
			delete(f, k)
			continue
		}
		f[k] = val
	}
	slices.Sort(empty)
	return Expected{Type: typ, Fields: f, Empty: empty, Problems: problems}
}
