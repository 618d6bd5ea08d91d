package parsers

import (
	"net/netip"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"mailbot/templates/say"
)

// Reading values as people write them: placeholders, check boxes, lists, yes/no, dates.

// tfPlaceholders are the hints office programs show in an empty field.
var tfPlaceholders = []string{
	"fare clic o toccare qui per immettere il testo",
	"fare clic qui per immettere testo",
	"click or tap here to enter text",
	"click here to enter text",
	"da compilare",
	"inserire qui",
}

// tfPlaceholder reports whether s, lowered, is one of tfPlaceholders. ASCII text lowers byte
// for byte, so it is compared without a lowered copy.
func tfPlaceholder(s string) bool {
	ascii := tfASCII(s)
	low := s
	if !ascii {
		low = strings.ToLower(s)
	}
	for _, p := range tfPlaceholders {
		if ascii && strings.EqualFold(s, p) || !ascii && low == p {
			return true
		}
	}
	return false
}

// tfNotAvailable reports whether a line says "not available" ("n.d.", "N/A"), spaces aside.
func tfNotAvailable(l string) bool {
	w := ""
	if tfASCII(l) {
		// Lowered without its spaces on the stack: longer than the longest word, it is none.
		var buf [16]byte
		b := buf[:0]
		for i := 0; i < len(l); i++ {
			c := l[i]
			switch {
			case c == ' ':
				continue
			case len(b) == len(buf):
				return false
			case c >= 'A' && c <= 'Z':
				c += 'a' - 'A'
			}
			b = append(b, c)
		}
		w = string(b)
	} else {
		w = strings.ToLower(strings.ReplaceAll(l, " ", ""))
	}
	switch w {
	case "n.d.", "n.d", "nd", "n/d", "n/a", "n.a.", "n.a", "nondisponibile", "nonapplicabile":
		return true
	}
	return false
}

// tfASCII reports whether s is all ASCII.
func tfASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// tfClean trims a value and empties it when it is only a placeholder ("_____", "…", hints).
func tfClean(s string) string {
	if s == "" {
		return "" // most items of a page: no value
	}
	s = strings.ReplaceAll(s, "\u00a0", " ")
	s = strings.ReplaceAll(s, fieldMark, "")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	if !strings.Contains(s, "\n") {
		return strings.TrimSpace(tfCleanLine(s)) // one line: not split and joined
	}
	lines := strings.Split(s, "\n")
	out := lines[:0]
	for _, l := range lines {
		out = append(out, tfCleanLine(l))
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}

// tfCleanLine is tfClean of one line.
func tfCleanLine(l string) string {
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
	if l == "" {
		return l
	}
	if tfPlaceholder(strings.TrimRight(l, ". ")) || tfNotAvailable(l) {
		l = ""
	}
	return l
}

// tfLinkRe finds the target a mail client writes after a link's text: Outlook's
// "name@ente.it <mailto:name@ente.it>" (or with no space, or in square brackets), the HTML
// converter's "https://x <https://x>".
var tfLinkRe = regexp.MustCompile(`\s*[<\[](mailto:)?([^<>\[\]\s]+)[>\]]`)

// tfUnlink drops a link target that repeats its text, and keeps the address of a mailto
// whose text is a name ("Mario Rossi <mailto:m@x.it>" gives "Mario Rossi <m@x.it>").
func tfUnlink(l string) string {
	if !strings.ContainsAny(l, "<[") {
		return l
	}
	return tfLinkRe.ReplaceAllStringFunc(l, func(m string) string {
		g := tfLinkRe.FindStringSubmatch(m)
		at := strings.Index(l, m)
		before := strings.TrimSpace(l[:max(at, 0)])
		target := g[2]
		if strings.HasSuffix(strings.ToLower(before), strings.ToLower(target)) {
			return "" // the text already is the address
		}
		if g[1] != "" {
			return " <" + target + ">"
		}
		return m
	})
}

// Choices. People tick options in every way an office program allows: a box before the option
// ("☒ MyPay ☐ MyPivot", "[X] MyPay"), after it ("MyPay ☒", "MyPay [X]"), an "X" next to it or
// in a column beside it (table rows "MyPay | X"), a form check box (the readers write ☒/☐), a
// "Sì / No" pair of columns (frTable writes ☒/☐ under the header), or by deleting or striking
// through what they do not choose (the readers drop struck text). One grammar reads them all:
// a value is cut into lines, each line into marks and the texts between them; a mark at the
// start of a line ticks the text after it, otherwise the text before it; a line that is only a
// mark ticks the line above. Text with no mark is an option left unticked.

// tfMarkRe finds check-box marks: "[X]", "[ ]", "(x)", "☒", "☐" and friends.
var tfMarkRe = regexp.MustCompile(`\[\s*[xX✓✔*]?\s*\]|\(\s*[xX]?\s*\)|[☒☑✓✔■⌧✗✘☐□❏▢◻]`)

// tfBareXRe finds an "X" standing alone as a mark: in a choice field "X MyPay" or "MyPay X".
var tfBareXRe = regexp.MustCompile(`(?:^|[\s|:])([xX])(?:$|[\s|:])`)

// tfMarkOn reports whether a mark is ticked.
func tfMarkOn(mark string) bool { return strings.ContainsAny(mark, "xX✓✔*☒☑■⌧✗✘") }

// tfMarkAmbiguous reports whether a ticked mark may also stand for a blank box: a filled
// square is how some forms print every box, a cross how some people strike out an option, a
// star a bullet. Every option ticked with such a mark may be one glyph for both states.
func tfMarkAmbiguous(mark string) bool { return strings.ContainsAny(mark, "*■✗✘") }

// choiceSeg is one option as written: its text, whether it carries a mark, and if so its state.
type choiceSeg struct {
	text      string
	marked    bool
	on        bool
	ambiguous bool // ticked with a mark that may also stand for a blank box
}

// tfChoiceSegs cuts a value into options with their marks; bareX also counts a lone "X" as a
// mark (only in fields whose options are known, where an "X" cannot be part of a value).
func tfChoiceSegs(s string, bareX bool) (segs []choiceSeg, marks int) {
	trim := func(t string) string { return strings.Trim(t, " \t,;:|-–") }
	for _, line := range strings.Split(s, "\n") {
		locs := tfMarkRe.FindAllStringIndex(line, -1)
		if bareX {
			for _, m := range tfBareXRe.FindAllStringSubmatchIndex(line, -1) {
				locs = append(locs, []int{m[2], m[3]})
			}
			sort.Slice(locs, func(i, j int) bool { return locs[i][0] < locs[j][0] })
		}
		if len(locs) == 0 {
			if t := trim(line); t != "" {
				segs = append(segs, choiceSeg{text: t})
			}
			continue
		}
		marks += len(locs)
		if len(locs) == 1 && trim(line[:locs[0][0]]) == "" && trim(line[locs[0][1]:]) == "" {
			// A mark alone on its line ticks the option on the line above.
			mark := line[locs[0][0]:locs[0][1]]
			on, amb := tfMarkOn(mark), tfMarkAmbiguous(mark)
			if n := len(segs); n > 0 && !segs[n-1].marked {
				segs[n-1].marked, segs[n-1].on, segs[n-1].ambiguous = true, on, amb
			} else {
				segs = append(segs, choiceSeg{marked: true, on: on, ambiguous: amb})
			}
			continue
		}
		before := trim(line[:locs[0][0]]) == ""
		for i, loc := range locs {
			var t string
			if before {
				end := len(line)
				if i+1 < len(locs) {
					end = locs[i+1][0]
				}
				t = line[loc[1]:end]
			} else {
				from := 0
				if i > 0 {
					from = locs[i-1][1]
				}
				t = line[from:loc[0]]
			}
			mark := line[loc[0]:loc[1]]
			segs = append(segs, choiceSeg{text: trim(t), marked: true, on: tfMarkOn(mark), ambiguous: tfMarkAmbiguous(mark)})
		}
		if last := locs[len(locs)-1]; !before {
			if t := trim(line[last[1]:]); t != "" {
				segs = append(segs, choiceSeg{text: t})
			}
		}
	}
	return segs, marks
}

// tfCheckboxes returns the texts of the ticked options of a value written with marks; found is
// false when the value has no marks at all; ambiguous when a tick may also stand for a blank.
func tfCheckboxes(s string, bareX bool) (checked []string, found, ambiguous bool) {
	segs, marks := tfChoiceSegs(s, bareX)
	if marks == 0 {
		return nil, false, false
	}
	checked = []string{}
	for _, sg := range segs {
		if sg.on {
			checked = append(checked, sg.text)
			ambiguous = ambiguous || sg.ambiguous
		}
	}
	return checked, true, ambiguous
}

// tfAllTickedDoubt is the doubt of a choice where every option carries the same ticked mark
// that may also stand for a blank box. Every option ticked with unambiguous marks (☒, ☑, ✔, an
// X) is a choice like any other: most enti ask for both MyPay and MyPivot.
func tfAllTickedDoubt(v string) string {
	return say.Text("doubt.all_ticked", tfQuote(v))
}

// tfQuote shortens a value for a doubt told to staff.
func tfQuote(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 80 {
		s = string(r[:80]) + "…"
	}
	return "«" + s + "»"
}

// tfSplitRe separates the items of a list.
var tfSplitRe = regexp.MustCompile(`[,;\n]+|\s+e\s+|\s+/\s+`)

// tfBulletRe strips list bullets and numbering at the start of an item.
var tfBulletRe = regexp.MustCompile(`^(?:[-•*·–]+|\d{1,2}[.)]|[a-z]\))\s+`)

// tfSplitList splits list values into items, keeping only ticked items when check boxes are
// used. options are the field's known options (nil for a free list): with them a lone "X" is a
// mark, and a value where no option is ticked, or every one with a mark that may stand for a
// blank box, is a doubt, not a choice.
func tfSplitList(values []string, options []string) (out []string, doubt string) {
	seen := map[string]bool{}
	for _, v := range values {
		if checked, ok, ambiguous := tfCheckboxes(v, options != nil); ok {
			switch {
			case len(checked) == 0:
				doubt = say.Text("doubt.none_ticked", tfQuote(v))
			case ambiguous && options != nil && len(checked) >= len(options) && len(options) > 1:
				doubt = tfAllTickedDoubt(v)
			}
			v = strings.Join(checked, "\n")
		}
		for _, it := range tfSplitOptions(tfSplitRe.Split(v, -1), options) {
			it = tfBulletRe.ReplaceAllString(strings.TrimSpace(it), "")
			it = strings.TrimSpace(strings.TrimRight(it, "."))
			if tfClean(it) == "" || seen[strings.ToLower(it)] {
				continue
			}
			seen[strings.ToLower(it)] = true
			out = append(out, it)
		}
	}
	return out, doubt
}

// tfSplitOptions cuts an item that runs several known options together ("pagamenti spontanei
// caricamento flussi", two cells of a printed table on one line) at each option.
func tfSplitOptions(items, options []string) []string {
	if len(options) < 2 {
		return items
	}
	var out []string
	for _, it := range items {
		low := strings.ToLower(it)
		var at []int
		for _, o := range options {
			if i := strings.Index(low, strings.ToLower(o)); i >= 0 {
				at = append(at, i)
			}
		}
		if len(at) < 2 {
			out = append(out, it)
			continue
		}
		sort.Ints(at)
		if at[0] > 0 {
			at[0] = 0 // words before the first option stay with it
		}
		for k, i := range at {
			end := len(it)
			if k+1 < len(at) {
				end = at[k+1]
			}
			out = append(out, it[i:end])
		}
	}
	return out
}

// Canonical names of the Region's services.
const (
	ServiceMyPay   = "MyPay"
	ServiceMyPivot = "MyPivot"
)

var tfCompact = strings.NewReplacer(" ", "", "-", "", "_", "", ".", "")

// tfServiceWords finds the services a text names: "MyPay", "My Pay", "MYPIVOT", "entrambi".
func tfServiceWords(v string) (pay, pivot bool) {
	n := strings.ToLower(lblAccents.Replace(v))
	compact := tfCompact.Replace(n)
	pay = strings.Contains(compact, "mypay")
	pivot = strings.Contains(compact, "mypivot")
	for _, w := range strings.FieldsFunc(n, func(r rune) bool { return !unicode.IsLetter(r) }) {
		switch w {
		case "entrambi", "entrambe", "both", "tutti", "tutte":
			pay, pivot = true, true
		}
	}
	return pay, pivot
}

// tfServiceSegs splits a value at the separators between one service and the next:
// "MyPay: sì — MyPivot: no", "MyPay sì, MyPivot no".
var tfServiceSegs = regexp.MustCompile(`\s*[,;/|—–\n]\s*|\s+-\s+`)

// tfServiceNo are the words that refuse the service they stand with.
var tfServiceNo = map[string]bool{"no": true, "non": true, "nessuno": true, "escluso": true, "esclusa": true}

// tfServiceAnswers reads services named without marks. A service named with its own answer
// ("MyPivot: no", "no MyPivot", "MyPivot non richiesto") is chosen only when the answer is yes:
// naming an option is not choosing it. An answer standing with both services, or with neither,
// cannot be told apart: doubt.
func tfServiceAnswers(v string) (pay, pivot bool, doubt string) {
	p, q := tfServiceWords(v)
	if !p || !q {
		return p, q, "" // one service named: "solo MyPay", "MyPay", "MyPay sì"
	}
	answered := false
	for _, seg := range tfServiceSegs.Split(v, -1) {
		sp, sq := tfServiceWords(seg)
		no := false
		for _, w := range strings.FieldsFunc(strings.ToLower(lblAccents.Replace(seg)), func(r rune) bool { return !unicode.IsLetter(r) }) {
			no = no || tfServiceNo[w]
		}
		switch {
		case no && sp && sq, no && !sp && !sq:
			return true, true, say.Text("doubt.service_answer", tfQuote(v))
		case no:
			answered = true
		default:
			pay, pivot = pay || sp, pivot || sq
		}
	}
	if !answered {
		return p, q, ""
	}
	return pay, pivot, ""
}

// tfTemplateOptions matches a value that only repeats the options as a blank form prints them,
// "MyPay / MyPivot", with nothing to say which was chosen.
var tfTemplateOptions = regexp.MustCompile(`(?i)^\s*my\s*pay\s*[/|]\s*my\s*pivot\s*$|^\s*my\s*pivot\s*[/|]\s*my\s*pay\s*$`)

// tfServices reads the services chosen: "MyPay", "MyPay e MyPivot", "entrambi", or options
// ticked in any style of the choice grammar. doubt says why the reading is uncertain (nothing
// ticked, everything ticked, the blank form's options left as printed).
func tfServices(values []string) (services []string, recognised bool, doubt string) {
	var pay, pivot bool
	for _, v := range values {
		segs, marks := tfChoiceSegs(v, true)
		if marks == 0 {
			if tfTemplateOptions.MatchString(v) {
				doubt = say.Text("doubt.options_as_blank", tfQuote(v))
			}
			p, q, d := tfServiceAnswers(v)
			pay, pivot = pay || p, pivot || q
			if d != "" {
				doubt = d
			}
			continue
		}
		var onPay, onPivot, anyOn, ambiguous bool
		offered := 0
		for _, sg := range segs {
			p, q := tfServiceWords(sg.text)
			if p || q {
				offered++
			}
			if sg.on {
				anyOn = true
				onPay, onPivot = onPay || p, onPivot || q
				ambiguous = ambiguous || sg.ambiguous
			}
		}
		switch {
		case !anyOn:
			doubt = say.Text("doubt.none_ticked", tfQuote(v))
		case onPay && onPivot && offered > 1 && ambiguous:
			doubt = tfAllTickedDoubt(v)
		}
		if !anyOn && offered > 0 {
			recognised = true // the options are there, none ticked: an uncertain empty choice
		}
		pay, pivot = pay || onPay, pivot || onPivot
	}
	if pay {
		services = append(services, ServiceMyPay)
	}
	if pivot {
		services = append(services, ServiceMyPivot)
	}
	return services, recognised || pay || pivot, doubt
}

// tfYesNo reads a yes/no answer; an "x" (a ticked box) means yes. doubt is set when both or
// neither of "sì" and "no" are ticked, or both are written with no mark ("Sì / No").
func tfYesNo(s string) (answer string, ok bool, doubt string) {
	segs, marks := tfChoiceSegs(s, true)
	if marks > 0 {
		var yes, no, anyOn bool
		for _, sg := range segs {
			if !sg.on {
				continue
			}
			anyOn = true
			if sg.text == "" {
				yes = true // "[X]", "☒": a bare ticked box is a yes
				continue
			}
			switch a, _ := tfYesNoWord(sg.text); a {
			case "sì":
				yes = true
			case "no":
				no = true
			default:
				return "", false, ""
			}
		}
		switch {
		case !anyOn:
			return "", true, "né «sì» né «no» risultano selezionati in " + tfQuote(s)
		case yes && no:
			return "sì", true, "sia «sì» sia «no» risultano selezionati in " + tfQuote(s)
		case no:
			return "no", true, ""
		}
		return "sì", true, ""
	}
	if len(segs) >= 1 {
		words := strings.FieldsFunc(strings.ToLower(lblAccents.Replace(s)), func(r rune) bool { return !unicode.IsLetter(r) })
		if len(words) == 2 && (words[0] == "si" && words[1] == "no" || words[0] == "no" && words[1] == "si") {
			return "", true, say.Text("doubt.yesno_as_blank")
		}
	}
	a, ok := tfYesNoWord(s)
	return a, ok, ""
}

// tfYesNoWord reads a written yes or no: "sì", "Si.", "no", "x", "vero".
func tfYesNoWord(s string) (string, bool) {
	w := strings.ToLower(lblAccents.Replace(strings.TrimSpace(s)))
	w = strings.TrimRight(w, ".!")
	first := w
	if i := strings.IndexFunc(w, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }); i > 0 {
		first = w[:i]
	}
	switch first {
	case "si", "s", "x", "yes", "y", "vero", "true", "1", "ok", "fatto", "certo":
		return "sì", true
	case "no", "n", "false", "falso", "0":
		return "no", true
	}
	return "", false
}

var tfMonths = map[string]time.Month{
	"gennaio": 1, "febbraio": 2, "marzo": 3, "aprile": 4, "maggio": 5, "giugno": 6, "luglio": 7,
	"agosto": 8, "settembre": 9, "ottobre": 10, "novembre": 11, "dicembre": 12,
	"gen": 1, "feb": 2, "mar": 3, "apr": 4, "mag": 5, "giu": 6, "lug": 7, "ago": 8, "set": 9,
	"ott": 10, "nov": 11, "dic": 12,
}

var (
	tfDateDMY  = regexp.MustCompile(`\b(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4}|\d{2})\b`)
	tfDateISO  = regexp.MustCompile(`\b(\d{4})-(\d{1,2})-(\d{1,2})\b`)
	tfDateText = regexp.MustCompile(`(?i)\b(\d{1,2})\s*°?\s+([a-z]+)\.?\s+(\d{4})\b`)
)

// tfDate finds a date in s and returns it as gg/mm/aaaa, the way Italians write it.
func tfDate(s string) (string, bool) {
	s = lblAccents.Replace(strings.ToLower(s))
	var y, m, d int
	if g := tfDateISO.FindStringSubmatch(s); g != nil {
		y, _ = strconv.Atoi(g[1])
		m, _ = strconv.Atoi(g[2])
		d, _ = strconv.Atoi(g[3])
	} else if g := tfDateDMY.FindStringSubmatch(s); g != nil {
		d, _ = strconv.Atoi(g[1])
		m, _ = strconv.Atoi(g[2])
		y, _ = strconv.Atoi(g[3])
		if len(g[3]) == 2 {
			y += 2000
		}
	} else if g := tfDateText.FindStringSubmatch(s); g != nil {
		mon, ok := tfMonths[g[2]]
		if !ok {
			return "", false
		}
		d, _ = strconv.Atoi(g[1])
		m = int(mon)
		y, _ = strconv.Atoi(g[3])
	} else {
		return "", false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d || int(t.Month()) != m || y < 1990 || y > 2100 {
		return "", false
	}
	return t.Format("02/01/2006"), true
}

// tfCheckURL accepts an absolute http(s) URL with a host.
func tfCheckURL(s string) (string, error) {
	v := strings.TrimSpace(s)
	u, err := url.Parse(v)
	if err != nil || u.Host == "" && u.Scheme == "" {
		return "", identErr(KindURL, v, "ident.url_syntax")
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return "", identErr(KindURL, v, "ident.url_scheme")
	}
	if u.Host == "" || strings.ContainsAny(u.Host, " \t") {
		return "", identErr(KindURL, v, "ident.url_host")
	}
	return v, nil
}

// tfIPRangeRe finds "a.b.c.d - e.f.g.h" ranges, which must be written out or as CIDR.
var tfIPRangeRe = regexp.MustCompile(`\b(\d{1,3}(?:\.\d{1,3}){3})\s*(?:-|–|fino a|a)\s*(\d{1,3}(?:\.\d{1,3}){3})\b`)

// tfParenRe drops remarks in brackets: "203.0.113.10 (server principale)".
var tfParenRe = regexp.MustCompile(`\([^()]*\)`)

// tfIPs reads a list of addresses; it returns the public ones normalised, a Problem sentence
// reason for each address that is not a public caller's, and the tokens that do not look like
// addresses at all (a date, a phone number, prose): those are an uncertain reading.
func tfIPs(values []string) (ips []string, bad []*IdentifierError, odd []string) {
	seen := map[string]bool{}
	for _, v := range values {
		raw := strings.TrimSpace(v)
		v = tfIPRangeRe.ReplaceAllStringFunc(v, func(g string) string {
			// Two neighbouring addresses joined by a dash are the same two addresses whether
			// the dash lists them or spans them: both readings agree, so neither is in doubt.
			m := tfIPRangeRe.FindStringSubmatch(g)
			a, errA := netip.ParseAddr(m[1])
			b, errB := netip.ParseAddr(m[2])
			if errA == nil && errB == nil && (b == a || b == a.Next()) {
				return " " + m[1] + " " + m[2] + " "
			}
			bad = append(bad, identErr(KindIPs, g, "ip.range"))
			return " "
		})
		v = tfParenRe.ReplaceAllString(v, " ")
		if !strings.ContainsAny(v, "0123456789") && raw != "" && !tfIPRangeRe.MatchString(raw) {
			odd = append(odd, raw)
			continue
		}
		for _, tok := range strings.FieldsFunc(v, func(r rune) bool {
			return r == ',' || r == ';' || unicode.IsSpace(r)
		}) {
			tok = strings.TrimRight(tok, ".")
			if !strings.ContainsAny(tok, "0123456789") {
				continue // words around the addresses: "e", "IP", "server"
			}
			if !tfIPish(tok) {
				odd = append(odd, tok)
				continue
			}
			n, err := NormalizeIP(tok)
			if err != nil {
				if ie, ok := err.(*IdentifierError); ok {
					bad = append(bad, ie)
				} else {
					bad = append(bad, identErrReason(KindIPs, tok, err.Error()))
				}
				continue
			}
			if !seen[n] {
				seen[n] = true
				ips = append(ips, n)
			}
		}
	}
	return ips, bad, odd
}

// tfLinesToItems turns lines of text into label/value pairs where they read "Label: value", or
// "Label:" with the value alone on the next line; other lines stay as text (titles, prose).
// There is at most an item a line: a form's worth of them is not copied as it grows (a text of
// blank lines does not get room for each).
func tfLinesToItems(lines []string) []frItem {
	return tfAppendLinesToItems(make([]frItem, 0, min(len(lines), 128)), lines, nil)
}

// tfAppendLinesToItems is tfLinesToItems appending to items, with the tokens of the lines of
// text kept from la.
func tfAppendLinesToItems(items []frItem, lines []string, la *lblArena) []frItem {
	tl := newTFLines(lines)
	for i := 0; i < len(lines); i++ {
		line := strings.TrimSpace(lines[i])
		if line == "" {
			continue
		}
		label, value, ok := tfSplitLabel(line)
		if !ok {
			if it, used := tl.labelLine(i); used > 0 {
				items = append(items, it)
				i += used - 1
				continue
			}
			// The line's words are split already (labelLine asked): frBuild takes its tokens.
			items = append(items, frItem{label: line, in: la.reduce(tl.wordsOf(i))})
			continue
		}
		if value == "" {
			// The value on the next line, maybe after a blank one (a table cell of Outlook).
			n := i + 1
			if n+1 < len(lines) && strings.TrimSpace(lines[n]) == "" {
				n++
			}
			if n < len(lines) {
				next := strings.TrimSpace(lines[n])
				if _, _, nextIsPair := tfSplitLabel(next); next != "" && !nextIsPair && !lblIsLabel(next) && !tl.isLabelLine(n) {
					value = next
					i = n
					// A list takes every line up to a blank one or the next label: "IP:" and
					// one address per line.
					value, i = tl.listLines(i, label, value)
				}
			}
		} else if v, j := tl.listLines(i, label, value); j > i {
			value, i = v, j
		} else if next, ok := tl.wrapped(i, label, value); ok {
			// The value may go on on the next line (a client wrapped it): both are shown to a
			// person, since where it ends is a guess.
			items = append(items, frItem{label: label, value: value + " " + next, pair: true,
				sig: Signal{SigWrapped, say.Text("doubt.wrapped", tfQuote(value), tfQuote(next))}})
			i++
			continue
		}
		items = append(items, frItem{label: label, value: value, pair: true})
	}
	return items
}

// listLines extends the value of a list field with the lines after lines[i] that are items
// of the same list ("Web services usati: paaSILImportaDovuto" then one name per line), up to a
// blank line, a label or a line of prose. It returns the value and the last line used.
func (tl *tfLines) listLines(i int, label, value string) (string, int) {
	lines := tl.lines
	f, _, ok := lblMatchers[""].match(label)
	if !ok || !frIsList(f.Kind) {
		return value, i
	}
	for i+1 < len(lines) {
		next := strings.TrimSpace(lines[i+1])
		if _, _, isPair := tfSplitLabel(next); next == "" || isPair || tl.isLabelLine(i+1) || !tfListItemLine(f.Kind, next) {
			break
		}
		value += "\n" + next
		i++
	}
	return value, i
}

// wrapped reports whether the line after lines[i] ("Indirizzo: Corso Mazzini 118, 31044", then
// "Montebelluna (TV)") may continue its free-text value: it is text that is no label, pair or
// heading (a client wrapped the line, or the writer broke it).
func (tl *tfLines) wrapped(i int, label, value string) (string, bool) {
	if i+1 >= len(tl.lines) || !strings.ContainsFunc(value, unicode.IsLetter) {
		return "", false // a number (a phone) does not run on into words
	}
	f, _, ok := lblMatchers[""].match(label)
	if !ok || f.Kind != KindText {
		return "", false
	}
	next := strings.TrimSpace(tl.lines[i+1])
	if next == "" || len(next) > 60 || strings.HasPrefix(next, ">") || closingRe.MatchString(next) || tl.isLabelLine(i+1) || lblIsLabel(next) {
		return "", false
	}
	if _, heading := lblSectionHeading(next); heading {
		return "", false
	}
	return next, true
}

// tfListItemLine reports whether a line reads as one more item of a list: an address for IPs;
// one word, or a bulleted line, for other lists.
func tfListItemLine(kind, line string) bool {
	if kind == KindIPs {
		for _, t := range strings.FieldsFunc(line, func(r rune) bool { return r == ',' || r == ';' || unicode.IsSpace(r) }) {
			if !tfIPish(strings.TrimRight(t, ".")) {
				return false
			}
		}
		return true
	}
	return len(strings.Fields(line)) == 1 && len(line) <= 80 || tfBulletRe.MatchString(line)
}

// labelLine reads a label alone on its line (up to three lines long, as a PDF table cell
// wraps it) with the value on the following line(s), the way text comes out of a PDF exported
// from a table: "Codice IPA" / "c_l736". Only a line that is exactly a label counts; a list
// field takes every following line up to the next label. used is the number of lines consumed.
func (tl *tfLines) labelLine(i int) (it frItem, used int) {
	lines := tl.lines
	f, k := tl.labelAt(i)
	if k == 0 {
		return frItem{}, 0
	}
	label := strings.TrimSpace(strings.Join(lines[i:i+k], " "))
	j := i + k
	// A wrapped label may end with a line of no words: "(sì/no)".
	for j < len(lines) && strings.HasPrefix(strings.TrimSpace(lines[j]), "(") && !tl.hasTokens(j) {
		label += " " + strings.TrimSpace(lines[j])
		j++
	}
	// Outlook writes each table cell as a paragraph: blank lines between a label and its value.
	for k := 0; k < 2 && j+1 < len(lines) && strings.TrimSpace(lines[j]) == ""; k++ {
		j++
	}
	var vals []string
	for j < len(lines) {
		next := strings.TrimSpace(lines[j])
		if next == "" || tl.isLabelLine(j) {
			break
		}
		vals = append(vals, next)
		j++
		if !frIsList(f.Kind) {
			break
		}
	}
	if len(vals) == 0 {
		return frItem{}, 0
	}
	return frItem{label: strings.TrimRight(label, " :*"), value: strings.Join(vals, "\n"), pair: true}, j - i
}

// tfLines are lines of text as the line readers go over them, again and again: each line's
// words are split once, and whether a line starts a label is found once.
type tfLines struct {
	lines []string
	of    []tfLineRead // what is known of each line
}

// tfLineRead is what the line readers found of one line, once asked.
type tfLineRead struct {
	words []string // lblSplit of the line
	split bool
	label int8 // isLabelLine: 0 not known yet, 1 no, 2 yes
	at    tfLabelFound
}

type tfLabelFound struct {
	f     Field
	k     int
	known bool
}

func newTFLines(lines []string) *tfLines {
	return &tfLines{lines: lines, of: make([]tfLineRead, len(lines))}
}

// wordsOf returns the words of line i.
func (tl *tfLines) wordsOf(i int) []string {
	if r := &tl.of[i]; !r.split {
		r.words, r.split = lblSplit(tl.lines[i], nil), true
	}
	return tl.of[i].words
}

// hasTokens reports whether line i has a token of a label (not only "sì", "(sì/no)", marks).
func (tl *tfLines) hasTokens(i int) bool {
	var buf [16]string
	return len(lblReduce(tl.wordsOf(i), buf[:0])) > 0
}

// labelAt finds a label exactly spread over lines[i:i+k], k up to 3, the shortest first.
func (tl *tfLines) labelAt(i int) (Field, int) {
	if a := tl.of[i].at; a.known {
		return a.f, a.k
	}
	f, k := tl.findLabelAt(i)
	tl.of[i].at = tfLabelFound{f: f, k: k, known: true}
	return f, k
}

func (tl *tfLines) findLabelAt(i int) (Field, int) {
	lm := lblMatchers[""]
	if !tl.hasTokens(i) {
		return Field{}, 0 // "sì", "(sì/no)": a value or the end of a label, never its start
	}
	// Only a label on one line can be a field's key: lines joined have a space inside.
	if f, ok := lm.key(strings.TrimRight(strings.TrimSpace(tl.lines[i]), " :*")); ok {
		return f, 1
	}
	var rawBuf, tokBuf [32]string
	var idBuf [32]uint16
	raw := rawBuf[:0]
	for k := 1; k <= 3 && i+k <= len(tl.lines); k++ {
		// The words of lines joined are the words of each line, one after the other.
		raw = append(raw, tl.wordsOf(i+k-1)...)
		in := lblLabel{toks: lblReduce(raw, tokBuf[:0])}
		in.ids = lblIDs(in.toks, idBuf[:0])
		if f, score, ok := lm.matchLabel(in); ok && score >= 10000 {
			return f, k
		}
		// A section's generic label: "Codice" under "4. Tipi dovuto".
		if g := lm.generic(in.ids); len(g) > 0 {
			return g[0], k
		}
	}
	return Field{}, 0
}

// isLabelLine reports whether lines[j] starts a label (exactly, maybe wrapped over lines) or
// is a "Label: value" pair.
func (tl *tfLines) isLabelLine(j int) bool {
	if tl.of[j].label == 0 {
		tl.of[j].label = 1
		if _, _, ok := tfSplitLabel(strings.TrimSpace(tl.lines[j])); ok {
			tl.of[j].label = 2
		} else if _, k := tl.labelAt(j); k > 0 {
			tl.of[j].label = 2
		}
	}
	return tl.of[j].label == 2
}

// tfSplitLabel splits "Label: value". The label must be short and not look like a URL or a time.
func tfSplitLabel(line string) (label, value string, ok bool) {
	i := strings.IndexAny(line, ":")
	if i < 0 {
		// "Partita IVA .......... 03812450249": dot leaders after a field's label stand for
		// the colon, as on a printed form.
		if m := tfDotLeaders(line); m != nil && m[0] > 0 && m[1] < len(line) && lblIsLabel(line[:m[0]]) {
			return strings.TrimSpace(line[:m[0]]), strings.TrimSpace(line[m[1]:]), true
		}
	}
	if i <= 0 {
		return "", "", false
	}
	if lt := strings.IndexAny(line, "<["); lt >= 0 && lt < i || tfEndsMailto(line[:i]) {
		return "", "", false // "a@b.it <mailto:a@b.it>": a link, not a label
	}
	label = strings.TrimSpace(line[:i])
	value = strings.TrimSpace(line[i+1:])
	if label == "" || strings.HasPrefix(value, "//") { // " : x" from a document's item; "https://..." with no label
		return "", "", false
	}
	if len(label) > 90 || tfWordCount(label) > 12 {
		return "", "", false
	}
	if label[len(label)-1] >= '0' && label[len(label)-1] <= '9' && value != "" && value[0] >= '0' && value[0] <= '9' {
		return "", "", false // "alle 10:30"
	}
	label = strings.TrimSpace(strings.TrimRight(strings.TrimLeft(label, "-•*> \t"), "*"))
	// "Referente: nome: Mario": the section, then the field, then the value.
	if j := strings.IndexByte(value, ':'); j > 0 && !strings.HasPrefix(value[j+1:], "//") {
		sub := strings.TrimSpace(value[:j])
		if n := len(strings.Fields(sub)); n > 0 && n <= 4 && !strings.ContainsAny(sub, "0123456789@") {
			lm := lblMatchers[""]
			_, s1, ok1 := lm.match(label)
			if _, s2, ok2 := lm.match(label + " " + sub); ok2 && (!ok1 || s2 > s1) {
				label, value = label+": "+sub, strings.TrimSpace(value[j+1:])
			}
		}
	}
	return label, value, label != ""
}

// tfEndsMailto is strings.HasSuffix(strings.ToLower(s), "mailto"), lowering only an s whose
// last letter may lower to an o: no letter but O does.
func tfEndsMailto(s string) bool {
	if s == "" || s[len(s)-1]|0x20 != 'o' {
		return false
	}
	if n := len(s) - 6; n >= 0 && tfASCII(s[n:]) {
		// ASCII bytes are runes of their own: the last six lower as ASCII does.
		for i := range 6 {
			if s[n+i]|0x20 != "mailto"[i] {
				return false
			}
		}
		return true
	}
	return strings.HasSuffix(strings.ToLower(s), "mailto")
}

// tfWordCount is len(strings.Fields(s)), without the slice.
func tfWordCount(s string) int {
	words, in := 0, false
	for _, r := range s {
		if space := r < utf8.RuneSelf && asciiSpace[r] || r >= utf8.RuneSelf && unicode.IsSpace(r); space {
			in = false
		} else if !in {
			in, words = true, words+1
		}
	}
	return words
}

// asciiSpace is the ASCII space of unicode.IsSpace.
var asciiSpace = [utf8.RuneSelf]bool{'\t': true, '\n': true, '\v': true, '\f': true, '\r': true, ' ': true}

// tfDotLeaders is dotLeaders.FindStringIndex(line), asked only of a line that has leaders.
func tfDotLeaders(line string) []int {
	if !strings.Contains(line, "...") && !strings.Contains(line, "…") && !strings.Contains(line, "___") {
		return nil
	}
	return dotLeaders.FindStringIndex(line)
}

// tfProblemText phrases a field problem for the referent, naming the field's label and value.
func tfProblemText(label string, e *IdentifierError) string {
	if e.Female {
		return say.Text("ident.invalid_field_f", e.Subject, e.Value, label, e.Reason)
	}
	return say.Text("ident.invalid_field", e.Subject, e.Value, label, e.Reason)
}

// Plausibility. A value that does not look like its kind at all (a date in an IP field, a
// label in a name field, a sentence in a codice fiscale field) was most likely read from the
// wrong place: it is an uncertain reading for a person, never a problem told to the referent.
// Only a value that looks like its kind and fails its check is a problem.

var (
	tfIPv4ishRe = regexp.MustCompile(`^\d{1,3}(?:\.\d{1,3}){3}(?:/\d{1,3})?$`)
	tfIPv6ishRe = regexp.MustCompile(`^\[?[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?:%\w+)?\]?(?:/\d{1,3})?$`)
	tfDateishRe = regexp.MustCompile(`\d{1,4}\s*[/.\-]\s*\d{1,2}\s*[/.\-]\s*\d{2,4}`)
	tfURLishRe  = regexp.MustCompile(`(?i)^(?:[a-z][a-z0-9+.\-]*://|www\.)\S+$|^[\w\-]+(?:\.[\w\-]+)+/\S*$`)
)

// tfKindNoun names what a value of a kind looks like, for a doubt told to staff.
var tfKindNoun = map[string]string{
	KindCFEnte: "noun.cf_ente", KindPIVA: "noun.piva",
	KindCFPerson: "noun.cf_person", KindIPA: "noun.ipa", KindIBAN: "noun.iban",
	KindEmail: "noun.email", KindPEC: "noun.pec", KindURL: "noun.url",
	KindDate: "noun.date", KindYesNo: "noun.yesno", KindIPs: "noun.ip",
	KindText: "noun.text",
}

// tfImplausible is the doubt about a value that does not look like its kind.
func tfImplausible(kind, v string) string {
	return say.Text("doubt.implausible", tfQuote(v), say.Text(tfKindNoun[kind]))
}

// tfPlausible reports whether a value (one line, cleaned) looks like a value of its kind,
// right or wrong.
func tfPlausible(kind, v string) bool {
	v = strings.TrimSpace(v)
	if v == "" {
		return true
	}
	words := tfWordCount(v)
	switch kind {
	case KindCFEnte, KindPIVA:
		c := strings.ToUpper(identCompact(v))
		c = strings.TrimPrefix(c, "IT")
		digits := 0
		for _, r := range c {
			if r >= '0' && r <= '9' {
				digits++
			}
		}
		return len(c) >= 8 && len(c) <= 13 && digits >= len(c)-2
	case KindCFPerson:
		c := strings.ToUpper(identCompact(v))
		if len(c) < 11 || len(c) > 18 || words > 4 {
			return false
		}
		letters, digits := 0, 0
		for _, r := range c {
			switch {
			case r >= 'A' && r <= 'Z':
				letters++
			case r >= '0' && r <= '9':
				digits++
			}
		}
		return letters+digits >= len(c)-1 && (digits >= 5 || letters >= 6 && digits >= 2)
	case KindIPA:
		return words <= 2 && len(v) <= 40 && !strings.ContainsAny(v, "@/") && !tfDateishRe.MatchString(v) && !tfIsExactLabel(v)
	case KindIBAN:
		c := strings.ToUpper(identCompact(v))
		c = strings.TrimLeft(strings.TrimPrefix(c, "IBAN"), ":")
		if len(c) < 15 || len(c) > 40 || c[0] < 'A' || c[0] > 'Z' {
			return false
		}
		digits := 0
		for _, r := range c {
			if r >= '0' && r <= '9' {
				digits++
			}
		}
		return digits >= 10
	case KindEmail, KindPEC:
		low := strings.ToLower(v)
		if strings.Contains(low, "@") || strings.Contains(low, "(at)") || strings.Contains(low, "[at]") {
			return words <= 4
		}
		return words == 1 && strings.Contains(v, ".") && !tfDateishRe.MatchString(v)
	case KindURL:
		return words == 1 && tfURLishRe.MatchString(v)
	case KindDate:
		if _, ok := tfDate(v); ok || tfDateishRe.MatchString(v) {
			return true
		}
		low := lblAccents.Replace(strings.ToLower(v))
		for _, w := range strings.FieldsFunc(low, func(r rune) bool { return !unicode.IsLetter(r) }) {
			if _, ok := tfMonths[w]; ok && strings.ContainsAny(v, "0123456789") {
				return true
			}
		}
		return false
	case KindIPs:
		return tfIPish(v)
	case KindYesNo:
		return words <= 4 && !tfIsExactLabel(v)
	case KindText:
		return !tfAllLabels(v)
	}
	return true
}

// tfTypical reports whether a value looks like the usual value of its kind: stricter than
// tfPlausible, it tells apart two fields a generic label may mean.
func tfTypical(kind, v string) bool {
	if kind == KindCFPerson {
		return len(identCompact(v)) >= 14 && tfPlausible(kind, v)
	}
	return tfPlausible(kind, v)
}

// tfIPish reports whether a token is written like an IP address or network, valid or not.
func tfIPish(tok string) bool {
	return tfIPv4ishRe.MatchString(tok) || strings.Count(tok, ":") >= 2 && tfIPv6ishRe.MatchString(tok)
}

// tfIsExactLabel reports whether text is exactly a field label of some form.
func tfIsExactLabel(text string) bool {
	_, score, ok := lblMatchers[""].match(strings.TrimRight(text, " :*"))
	return ok && score >= 10000
}

// tfLabelRun reports whether 2 to 4 words in a row of w, short of its last word, are exactly
// a field's label: tfIsExactLabel of each run joined, with each word split once and no text
// built (the words of words joined are each word's words, one after the other; a key has no
// space, so a run is never one).
func tfLabelRun(w []string) bool {
	lm := lblMatchers[""]
	var rawBuf, tokBuf [48]string
	var offBuf [17]int
	var idBuf [48]uint16
	raw, offs := rawBuf[:0], offBuf[:0]
	for _, x := range w {
		offs = append(offs, len(raw))
		raw = lblSplit(x, raw)
	}
	offs = append(offs, len(raw))
	for i := range w {
		for n := min(4, len(w)-i-1); n >= 2; n-- {
			in := lblLabel{toks: lblReduce(raw[offs[i]:offs[i+n]], tokBuf[:0])}
			in.ids = lblIDs(in.toks, idBuf[:0])
			if _, score, ok := lm.matchLabel(in); ok && score >= 10000 {
				return true
			}
		}
	}
	return false
}

// tfAllLabels reports whether every line of a value is a field label: a block of labels read
// as a value ("denominazione\ncodice fiscale\ncodice IPA").
func tfAllLabels(v string) bool {
	n := 0
	for _, l := range strings.Split(v, "\n") {
		if l = strings.TrimSpace(l); l == "" {
			continue
		}
		if !tfIsExactLabel(l) {
			return false
		}
		n++
	}
	return n > 0
}
