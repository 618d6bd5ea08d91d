package parsers

import (
	"bytes"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The readers' fast paths against the plain code they replace: the same answer for any text.

// lblNumberingRef is what lblNumbered writes out.
var lblNumberingRef = regexp.MustCompile(`(?i)^\s*(?:(?:\d{1,2}|[a-h]|[ivx]{1,4})\s*[.)\-–:]|sezione\b|quadro\b|parte\b)`)

var fastPathSeeds = []string{
	"", " ", "2. Ente", "12) Referente", "123. no", "B) Referente", "ab. x", "IV - Servizi", "iiii: x",
	"iiiii: x", "xv–x", "x –", "Sezione 3", "SEZIONE", "sezione_2", "ſezione 1", "quadro", "Quadroni",
	"parte\tprima", " \t\n\f\r1.", "\v1.", "1 \t:", "h)", "i", "K.", "Area Economico-Finanziaria",
	"n.d.", "N / A", "Non disponibile", "NON APPLICABILE", "nd", "N.D", "Da compilare.", "da compilare ..",
	"Fare clic qui per immettere testo", "fare clic o toccare qui per immettere il testo", "ſì",
	"INSERIRE QUI", "a\u00a0b", "riga\r\nriga", "  uno \n due  ", "___", "____ valore ____", "…valore…",
	"Mario <mailto:m@x.it>", "m@x.it <mailto:m@x.it>", "ENTE.CODICE_FISCALE", " ente.codice_ipa ",
	"ente.denominazione\u00e0", "ENTE.CODICE_FISCALE_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
	"\u212aey", "n\u00a0d", "N/D\r", "nd\n", "\uE001nd",
}

func TestNumberedAsRegexp(t *testing.T) {
	for _, s := range fastPathSeeds {
		if got, want := lblNumbered(s), lblNumberingRef.MatchString(s); got != want {
			t.Errorf("lblNumbered(%q) = %v, the expression says %v", s, got, want)
		}
	}
}

func FuzzNumbered(f *testing.F) {
	for _, s := range fastPathSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := lblNumbered(s), lblNumberingRef.MatchString(s); got != want {
			t.Fatalf("lblNumbered(%q) = %v, the expression says %v", s, got, want)
		}
	})
}

// tfCleanRef is tfClean as it was: every value split into lines and joined again.
func tfCleanRef(s string) string {
	s = strings.ReplaceAll(s, "\u00a0", " ")
	s = strings.ReplaceAll(s, fieldMark, "")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	lines := strings.Split(s, "\n")
	out := lines[:0]
	for _, l := range lines {
		l = strings.TrimSpace(l)
		l = strings.TrimSpace(strings.Trim(l, "…"))
		for strings.HasPrefix(l, "__") {
			l = strings.TrimLeft(l, "_")
		}
		for strings.HasSuffix(l, "__") {
			l = strings.TrimRight(l, "_")
		}
		l = tfUnlink(strings.TrimSpace(l))
		if strings.Trim(l, "_.-…·* \t[]—–/") == "" {
			l = ""
		}
		low := strings.ToLower(strings.TrimRight(l, ". "))
		for _, p := range tfPlaceholders {
			if low == p {
				l = ""
			}
		}
		switch strings.ToLower(strings.ReplaceAll(l, " ", "")) {
		case "n.d.", "n.d", "nd", "n/d", "n/a", "n.a.", "n.a", "nondisponibile", "nonapplicabile":
			l = ""
		}
		out = append(out, l)
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}

func TestCleanAsBefore(t *testing.T) {
	for _, s := range fastPathSeeds {
		if got, want := tfClean(s), tfCleanRef(s); got != want {
			t.Errorf("tfClean(%q) = %q, was %q", s, got, want)
		}
	}
}

func FuzzClean(f *testing.F) {
	for _, s := range fastPathSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := tfClean(s), tfCleanRef(s); got != want {
			t.Fatalf("tfClean(%q) = %q, was %q", s, got, want)
		}
	})
}

// FuzzKey checks the lookup of a label as a field key against lower-casing it.
func FuzzKey(f *testing.F) {
	for _, s := range fastPathSeeds {
		f.Add(s)
	}
	lm := lblMatchers[""]
	f.Fuzz(func(t *testing.T, s string) {
		got, gok := lm.key(s)
		want, wok := Field{}, false
		if k := strings.TrimSpace(s); !strings.ContainsAny(k, " \t\n") {
			want, wok = lm.byKey[strings.ToLower(k)]
		}
		if gok != wok || got.Key != want.Key {
			t.Fatalf("key(%q) = %q %v, lower-cased %q %v", s, got.Key, gok, want.Key, wok)
		}
	})
}

// lblFindMarkerReadRef is the marker search as it was: each marker searched for in turn.
func lblFindMarkerReadRef(ids []uint16) string {
	bestPos, bestLen, bestType := -1, 0, ""
	for _, m := range lblMarkers {
		for i := 0; i+len(m.ids) <= len(ids) && (bestPos < 0 || i <= bestPos); i++ {
			if !slices.Equal(ids[i:i+len(m.ids)], m.ids) {
				continue
			}
			if bestPos < 0 || i < bestPos || m.size > bestLen {
				bestPos, bestLen, bestType = i, m.size, m.formType
			}
			break
		}
	}
	return bestType
}

// FuzzFindMarker reads the fuzzer's bytes as a text of markers' tokens and others.
func FuzzFindMarker(f *testing.F) {
	var vocab []uint16
	for _, m := range lblMarkers {
		vocab = append(vocab, m.ids...)
	}
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15})
	f.Add([]byte{255, 3, 4, 5, 3, 4, 5, 3, 4})
	f.Fuzz(func(t *testing.T, b []byte) {
		ids := make([]uint16, len(b))
		for i, c := range b {
			if int(c) < len(vocab) {
				ids[i] = vocab[c]
			} else {
				ids[i] = uint16(c) % 7 // other tokens, and tokens of the labels
			}
		}
		if got, want := lblFindMarkerRead(ids), lblFindMarkerReadRef(ids); got != want {
			t.Fatalf("lblFindMarkerRead(%v) = %q, was %q", ids, got, want)
		}
	})
}

// FuzzMarkValue checks the prefilters of marks: a text tfMaybeMark passes over holds no mark,
// and tfMarkValue reads what it read without its length bound.
func FuzzMarkValue(f *testing.F) {
	for _, s := range append(fastPathSeeds, "X", " x ", "[x]", "(X)", "Sì", "SÌ", "\u212a", "☒", "☐ ", "yes", "YES", "no") {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !tfMaybeMark(s) && tfMarkRe.MatchString(s) {
			t.Fatalf("tfMaybeMark(%q) = false, but it holds a mark", s)
		}
		want, wok := "", false
		switch strings.ToLower(lblAccents.Replace(tfClean(s))) {
		case "x", "✓", "✔", "☒", "☑", "■", "⌧", "✗", "✘", "[x]", "(x)", "si", "yes":
			want, wok = markOn, true
		case "", "☐", "□", "❏", "▢", "◻", "no":
			want, wok = markOff, true
		}
		if got, ok := tfMarkValue(s); got != want || ok != wok {
			t.Fatalf("tfMarkValue(%q) = %q %v, was %q %v", s, got, ok, want, wok)
		}
	})
}

// pdfPrescanKeysRef is how the prescan checked /Size, /N and /Index: a pass over the file for
// each key.
func pdfPrescanKeysRef(data []byte, maxObj int64) error {
	for _, key := range []string{"/Size", "/N"} {
		for i := 0; ; {
			j := bytes.Index(data[i:], []byte(key))
			if j < 0 {
				break
			}
			i += j + len(key)
			if i < len(data) && isPDFRegular(data[i]) {
				continue
			}
			if n, ok := pdfIntAt(data, i); ok && n > maxObj {
				return fmt.Errorf("%s %d: more than %d objects", key, n, maxObj)
			}
		}
	}
	for i := 0; ; {
		j := bytes.Index(data[i:], []byte("/Index"))
		if j < 0 {
			break
		}
		i += j + 6
		if err := pdfPrescanIndex(data, i, maxObj); err != nil {
			return err
		}
	}
	return nil
}

// FuzzPrescanKeys checks the one pass over the slashes against a pass a key.
func FuzzPrescanKeys(f *testing.F) {
	f.Add([]byte("<</Size 24/N 3/Index[0 5 7 2]>>"), int64(10))
	f.Add([]byte("/N 99 /Size 5 /Sizes 100 /Name 7 /Index [1 2] /N5 /Index[9 9]//Size 30"), int64(20))
	f.Add([]byte("/Index [1 2 3 40] /Size 50 /N 60"), int64(30))
	f.Fuzz(func(t *testing.T, data []byte, maxObj int64) {
		lim := Limits{MaxPDFObjects: int(maxObj & 0xffff), MaxDecompressedBytes: 1 << 20}
		want := pdfPrescanKeysRef(data, int64(lim.MaxPDFObjects))
		if want == nil {
			want = pdfPrescanXref(data, lim)
		}
		got := pdfPrescan(data, lim)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("pdfPrescan(%q) = %v, was %v", data, got, want)
		}
	})
}

// FuzzLabelIDs: a token's number is the vocabulary's, looked up or not.
func FuzzLabelIDs(f *testing.F) {
	for _, s := range fastPathSeeds {
		f.Add(s)
	}
	for t := range lblVocab {
		f.Add(t)
	}
	f.Fuzz(func(t *testing.T, s string) {
		toks := append(lblTokens(s), s, strings.ToLower(s))
		ids := lblIDs(toks, nil)
		for i, tok := range toks {
			if ids[i] != lblVocab[tok] {
				t.Fatalf("lblIDs(%q) = %d, the vocabulary says %d", tok, ids[i], lblVocab[tok])
			}
		}
	})
}

// FuzzIsMark: a printed cell is a mark as its text is one of pdfMarks.
func FuzzIsMark(f *testing.F) {
	for m := range pdfMarks {
		f.Add(m, "")
	}
	f.Add("x", "x")
	f.Add("", "")
	f.Add("xx", "")
	f.Fuzz(func(t *testing.T, a, b string) {
		words := []pdfWord{{s: a}}
		if b != "" {
			words = append(words, pdfWord{s: b})
		}
		c := pdfCell{words: words}
		if got, want := pdfIsMark(c), pdfMarks[c.text()]; got != want {
			t.Fatalf("pdfIsMark(%q) = %v, want %v", c.text(), got, want)
		}
	})
}

// FuzzSortedGlyphs: a page's glyphs are in order by the loops as by slices.IsSortedFunc.
func FuzzSortedGlyphs(f *testing.F) {
	f.Add([]byte{1, 2, 3, 4}, false)
	f.Add([]byte{4, 3, 3, 1}, true)
	f.Add([]byte{0xff, 0xc0, 0, 0, 1, 2, 3, 4}, false) // a NaN
	f.Fuzz(func(t *testing.T, b []byte, byY bool) {
		var gs []pdfGlyph
		for i := 0; i+4 <= len(b); i += 4 {
			v := math.Float32frombits(uint32(b[i])<<24 | uint32(b[i+1])<<16 | uint32(b[i+2])<<8 | uint32(b[i+3]))
			gs = append(gs, pdfGlyph{x: v, y: v})
		}
		got := pdfSortedByX(gs)
		want := slices.IsSortedFunc(gs, pdfByX)
		if byY {
			got = pdfSortedByY(gs)
			want = slices.IsSortedFunc(gs, func(a, b pdfGlyph) int {
				switch {
				case a.y > b.y:
					return -1
				case a.y < b.y:
					return 1
				}
				return 0
			})
		}
		if got != want {
			t.Fatalf("sorted %v (by y %v): %v, IsSortedFunc %v", gs, byY, got, want)
		}
	})
}
