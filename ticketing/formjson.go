package ticketing

import (
	"maps"
	"slices"
	"strconv"
	"unicode/utf8"
)

// A form's row holds its fields and their provenance as JSON. Recording a request encodes two
// forms of some twenty values each, and encoding/json spent more on reflecting over the maps
// than on the text; these write the same bytes as json.Marshal (TestFormJSONAsMarshal), for the
// values forms hold.

// appendFields appends fields as json.Marshal encodes them; ok is false for a value of a type
// forms do not hold (the caller then asks encoding/json).
func appendFields(b []byte, fields map[string]any) (_ []byte, ok bool) {
	if fields == nil {
		return append(b, "null"...), true
	}
	b = append(b, '{')
	for i, k := range slices.Sorted(maps.Keys(fields)) {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, k)
		b = append(b, ':')
		if b, ok = appendValue(b, fields[k]); !ok {
			return b, false
		}
	}
	return append(b, '}'), true
}

// appendValue appends a field's value: text, a list of text, yes/no or nothing.
func appendValue(b []byte, v any) (_ []byte, ok bool) {
	switch v := v.(type) {
	case nil:
		return append(b, "null"...), true
	case string:
		return appendJSONString(b, v), true
	case bool:
		return strconv.AppendBool(b, v), true
	case []string:
		if v == nil {
			return append(b, "null"...), true
		}
		b = append(b, '[')
		for i, s := range v {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, s)
		}
		return append(b, ']'), true
	case []any:
		if v == nil {
			return append(b, "null"...), true
		}
		b = append(b, '[')
		for i, x := range v {
			if i > 0 {
				b = append(b, ',')
			}
			if b, ok = appendValue(b, x); !ok {
				return b, false
			}
		}
		return append(b, ']'), true
	}
	return b, false
}

// appendProvenance appends prov as json.Marshal encodes it as provenanceRows: a document that
// is the form's source left out.
func appendProvenance(b []byte, prov map[string]Provenance, source string) []byte {
	b = append(b, '{')
	for i, k := range slices.Sorted(maps.Keys(prov)) {
		if i > 0 {
			b = append(b, ',')
		}
		p := prov[k]
		b = appendJSONString(b, k)
		b = append(b, `:{`...)
		// The fields of the embedded Provenance, in their order, then the row's document.
		if p.Where != "" {
			b = appendJSONString(append(b, `"where":`...), p.Where)
			b = append(b, ',')
		}
		if p.Label != "" {
			b = appendJSONString(append(b, `"label":`...), p.Label)
			b = append(b, ',')
		}
		b = appendJSONString(append(b, `"how":`...), p.How)
		b = strconv.AppendBool(append(b, `,"sure":`...), p.Sure)
		if p.Doubt != "" {
			b = appendJSONString(append(b, `,"doubt":`...), p.Doubt)
		}
		if p.Vouched != "" {
			b = appendJSONString(append(b, `,"vouched":`...), p.Vouched)
		}
		if p.Document != source || !utf8.ValidString(p.Document) {
			b = appendJSONString(append(b, `,"document":`...), p.Document)
		}
		b = append(b, '}')
	}
	return append(b, '}')
}

// appendJSONString appends s quoted as encoding/json quotes it: HTML's <, > and & escaped,
// each byte of invalid UTF-8 as U+FFFD, U+2028 and U+2029 escaped.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= ' ' && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, `\b`...)
			case '\f':
				b = append(b, `\f`...)
			case '\n':
				b = append(b, `\n`...)
			case '\r':
				b = append(b, `\r`...)
			case '\t':
				b = append(b, `\t`...)
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(append(b, s[start:i]...), `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(append(b, s[start:i]...), '\\', 'u', '2', '0', '2', hex[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	return append(append(b, s[start:]...), '"')
}
