package parsers

import (
	"strings"

	"mailbot/templates/say"
)

// Text a reader of a printed PDF does not see: glyphs drawn invisible (text render mode 3, how
// OCR software lays a scan's recognised text under its image) or outside the page's visible
// box. Such text is read, since a scan has no other, but a value that stands in it is never
// sure on its own (SigHidden): OCR slips (a letter O in a numeric code) are not seen by the
// person who checked the page.

// pdfHideOffPage marks the glyphs drawn outside the page's crop box (else its media box). A
// word that starts outside is hidden; one that runs over the edge (a table wider than the
// page) is seen, cut.
func pdfHideOffPage(page pdfValue, glyphs []pdfGlyph) {
	box := pdfInherited(page, "CropBox")
	if box.Kind() != pkArray || box.Len() != 4 {
		box = pdfInherited(page, "MediaBox")
	}
	if box.Kind() != pkArray || box.Len() != 4 {
		return
	}
	x0, y0, x1, y1 := float32(box.Index(0).Float64()), float32(box.Index(1).Float64()), float32(box.Index(2).Float64()), float32(box.Index(3).Float64())
	x0, x1 = min(x0, x1), max(x0, x1)
	y0, y1 = min(y0, y1), max(y0, y1)
	if x1-x0 < 1 || y1-y0 < 1 {
		return
	}
	for i := range glyphs {
		g := &glyphs[i]
		if g.x+g.w < x0 || g.x > x1 || g.y+g.size < y0 || g.y > y1 {
			g.off = true
		}
	}
}

// pdfDropHiddenCopies removes invisible glyphs that repeat a visible one in the same place (an
// OCR layer laid over text that is drawn anyway): they add nothing, and the text is seen.
func pdfDropHiddenCopies(gs []pdfGlyph) []pdfGlyph {
	hidden := false
	for _, g := range gs {
		if g.hidden {
			hidden = true
			break
		}
	}
	if !hidden {
		return gs
	}
	type at struct {
		x, y int32
		s    string
	}
	key := func(g pdfGlyph) at { return at{int32(g.x + 0.5), int32(g.y + 0.5), g.s} }
	shown := map[at]bool{}
	for _, g := range gs {
		if !g.hidden {
			shown[key(g)] = true
		}
	}
	out := gs[:0]
	for _, g := range gs {
		if g.hidden && (shown[key(g)] || strings.TrimSpace(g.s) == "") {
			continue
		}
		out = append(out, g)
	}
	return out
}

// hidden reports whether any word of the row is text a reader does not see.
func (r pdfRow) hidden() bool {
	for _, l := range r.lines {
		for _, c := range l.cells {
			for _, w := range c.words {
				if w.hidden {
					return true
				}
			}
		}
	}
	return false
}

// pdfHideItems records that the values of items were read from text a reader does not see.
func pdfHideItems(items []frItem) {
	for k := range items {
		if items[k].pair && strings.TrimSpace(items[k].value) != "" {
			items[k].sig = Signal{SigHidden, say.Text("doubt.hidden", tfQuote(items[k].value))}
		}
	}
}
