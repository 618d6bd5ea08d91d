package parsers

import (
	"io"
	"regexp"
	"strings"
	"unicode/utf8"

	_ "github.com/emersion/go-message/charset" // every charset go-message knows, for bodies and headers
	"github.com/k3a/html2text"
	"golang.org/x/net/html"
	"golang.org/x/text/encoding/charmap"
)

// bodyText turns the decoded body of a text part into plain UTF-8 text. go-message has already
// converted a declared, known charset; what is left here is the mail of the real world: no charset
// at all, an unknown one, or windows-1252 labelled as ISO-8859-1 (Outlook does it; the WHATWG
// treats the two labels as one).
func bodyText(mediaType string, body []byte) string {
	s := toUTF8(body)
	if mediaType == "text/html" {
		s = htmlToText(s)
	}
	return strings.TrimSpace(textCleaner.Replace(s))
}

// readText reads at most max bytes of a body part and skips the rest, reporting whether it did.
// The cap is what bounds the time and memory of everything done to body text after (charset
// repair, HTML conversion, quote and form detection all go over the whole text, some of it more
// than once): a 39 MiB body took 11 s and gigabytes. A form written in a message is a few KB;
// a long thread with its quotes a few hundred.
func readText(r io.Reader, max int64) (data []byte, cut bool, err error) {
	data, err = io.ReadAll(io.LimitReader(r, max))
	if err != nil {
		return data, false, err
	}
	n, _ := io.Copy(io.Discard, r)
	return data, n > 0, nil
}

// skipText is readText counting the bytes it would have read instead of keeping them.
func skipText(r io.Reader, max int64) (n int64, cut bool, err error) {
	n, err = io.Copy(io.Discard, io.LimitReader(r, max))
	if err != nil {
		return n, false, err
	}
	rest, _ := io.Copy(io.Discard, r)
	return n, rest > 0, nil
}

// textCleaner normalises line ends and the invisible characters Outlook and Word put in text:
// no-break spaces around "Label:\u00a0value" and zero-width marks would defeat label matching.
var textCleaner = strings.NewReplacer("\r\n", "\n", "\r", "\n", "\u00a0", " ", "\u200b", "", "\ufeff", "", "\u200e", "", "\u200f", "")

// toUTF8 returns b as UTF-8: valid UTF-8 is kept (with C1 controls read as windows-1252, since no
// person types them), anything else is decoded as windows-1252, the usual charset of Italian
// mail that forgot to declare one.
func toUTF8(b []byte) string {
	if !utf8.Valid(b) {
		out, err := charmap.Windows1252.NewDecoder().Bytes(b)
		if err != nil {
			return strings.ToValidUTF8(string(b), "\uFFFD")
		}
		return string(out)
	}
	return fixC1(string(b))
}

// fixC1 maps the C1 control characters U+0080–U+009F, which a latin-1 decoder produces from
// windows-1252 bytes such as 0x80 (€) or 0x92 (’), to the characters the writer meant.
func fixC1(s string) string {
	if !strings.ContainsFunc(s, isC1) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if isC1(r) {
			if d, err := charmap.Windows1252.NewDecoder().String(string([]byte{byte(r)})); err == nil {
				b.WriteString(d)
				continue
			}
		}
		b.WriteRune(r)
	}
	return b.String()
}

func isC1(r rune) bool { return r >= 0x80 && r <= 0x9f }

// markEnds marks the end tags html2text would run together, in one pass: a cell's end
// (</td>, </th>) gets a cellMark after it, a row's (</tr>) and a div's a line break (Gmail
// writes each line as a <div>: "Codice IPA: x" and "Tipologia: y" would make one line). A tag
// name is matched in any case, spaces (as the regexp's \s) may come before its ">".
func markEnds(s string) string {
	var b strings.Builder
	last := 0
	for i := 0; ; {
		k := strings.Index(s[i:], "</")
		if k < 0 {
			break
		}
		i += k + 2
		j := i
		for j < len(s) && j-i < 3 && ('a' <= s[j]|0x20 && s[j]|0x20 <= 'z') {
			j++
		}
		var mark string
		switch strings.ToLower(s[i:j]) {
		case "td", "th":
			mark = cellMark
		case "tr", "div":
			mark = "<br>"
		default:
			continue
		}
		for j < len(s) && (s[j] == ' ' || s[j] == '\t' || s[j] == '\n' || s[j] == '\f' || s[j] == '\r') {
			j++
		}
		if j == len(s) || s[j] != '>' {
			continue
		}
		if b.Len() == 0 {
			b.Grow(len(s) + len(s)/16)
		}
		b.WriteString(s[last : j+1])
		b.WriteString(mark)
		last, i = j+1, j+1
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// cellMark separates table cells while html2text runs (a private-use rune no mail contains).
const cellMark = "\uE000"

// htmlToText converts an HTML body to text. What follows the first quote container (see
// quoteCut) becomes "> " lines, so that SplitReply, and everything that reads only a person's
// own words, treats it as the quote it is: in HTML mail nothing else marks it.
func htmlToText(s string) string {
	at := quoteCut(s)
	if at < 0 {
		return htmlConvert(s)
	}
	fresh := htmlConvert(s[:at])
	var b strings.Builder
	b.WriteString(fresh)
	for _, l := range strings.Split(htmlConvert(s[at:]), "\n") {
		b.WriteString("\n> " + l)
	}
	return b.String()
}

// quoteCut returns the offset in an HTML body of the first element that starts a quoted message,
// or -1: a blockquote (Apple type=cite, Thunderbird, plain), Gmail's gmail_quote, Thunderbird's
// moz-cite-prefix attribution, Outlook on the web's divRplyFwdMsg and appendonsend, Outlook's
// header block (a div with a solid top border, "border:none;border-top:solid ...;padding:..."),
// Yahoo's yahoo_quoted, and the old Outlook/Hotmail stopSpelling rule.
func quoteCut(s string) int {
	z := html.NewTokenizer(strings.NewReader(s))
	off := 0
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return -1
		}
		raw := len(z.Raw())
		if tt == html.StartTagToken || tt == html.SelfClosingTagToken {
			name, hasAttr := z.TagName()
			tag := string(name)
			if tag == "blockquote" {
				return off
			}
			var class, id, style string
			for hasAttr {
				var k, v []byte
				k, v, hasAttr = z.TagAttr()
				switch string(k) {
				case "class":
					class = " " + strings.ToLower(string(v)) + " "
				case "id":
					id = strings.ToLower(string(v))
				case "style":
					style = strings.ToLower(strings.Join(strings.Fields(string(v)), ""))
				}
			}
			for _, c := range []string{"gmail_quote", "gmail_quote_container", "moz-cite-prefix", "yahoo_quoted", "outlookmessageheader"} {
				if strings.Contains(class, " "+c+" ") {
					return off
				}
			}
			switch {
			case strings.HasSuffix(id, "divrplyfwdmsg"), strings.HasSuffix(id, "appendonsend"), tag == "hr" && id == "stopspelling":
				return off
			case tag == "div" && strings.Contains(style, "border-top:solid") && strings.Contains(style, "border:none"):
				return off
			}
		}
		off += raw
	}
}

// htmlConvert converts HTML to text. Table cells would otherwise run together
// ("IP1.2.3.4"), and forms pasted from Word are tables: each row becomes a line, a two-cell row
// "label: value" (what ReadText understands), a wider one cells joined by " | ".
func htmlConvert(s string) string {
	s = markEnds(s)
	t := html2text.HTML2TextWithOptions(s,
		html2text.WithUnixLineBreaks(), html2text.WithListSupport(), html2text.WithLinksInnerText())
	lines := strings.Split(t, "\n")
	for i, l := range lines {
		if !strings.Contains(l, cellMark) {
			lines[i] = strings.TrimSpace(l) // indentation in HTML source is no one's intent
			continue
		}
		var cells []string
		for _, c := range strings.Split(l, cellMark) {
			if c = strings.TrimSpace(c); c != "" {
				cells = append(cells, c)
			}
		}
		switch {
		case len(cells) == 2 && !strings.HasSuffix(cells[0], ":"):
			lines[i] = cells[0] + ": " + cells[1]
		case len(cells) == 2:
			lines[i] = cells[0] + " " + cells[1]
		default:
			lines[i] = strings.Join(cells, " | ")
		}
	}
	return strings.Join(lines, "\n")
}

// Lines that start the quoted part of a reply or forward. Each is matched against one line, or two
// or three lines joined, since clients wrap long attributions ("On ... Mario <\nm@x.it> wrote:").
var (
	// Thunderbird "Il 26/11/2026 10:15, Mario ha scritto:", Gmail "Il giorno gio 26 nov 2026 alle
	// ore 10:15 Mario <m@x.it> ha scritto:", Apple Mail, English "On ... wrote:", German/French too
	// since software houses use them.
	attributionRe = regexp.MustCompile(`(?i)^\s*(il|in data|on|am|le)\b.{0,300}\b(ha scritto|hanno scritto|scrive|wrote|schrieb|a écrit)\s*:\s*$`)
	// "-----Messaggio originale-----", "-----Original Message-----", Gmail forwards.
	originalRe = regexp.MustCompile(`(?i)^\s*-{2,}\s*(messaggio originale|original message|forwarded message|messaggio inoltrato|message d'origine|ursprüngliche nachricht)\s*-{2,}\s*$`)
	// Apple Mail forwards.
	forwardRe = regexp.MustCompile(`(?i)^\s*(inizio messaggio inoltrato|begin forwarded message)\s*:\s*$`)
	// Outlook's header block of the quoted message: "Da: ..." followed by "Inviato:"/"Data:" within
	// two lines. Bold labels from HTML may keep their asterisks.
	outlookFromRe = regexp.MustCompile(`(?i)^\s*\*?(da|from|de|von)\s*:\s*\*?\s*\S`)
	outlookSentRe = regexp.MustCompile(`(?i)^\s*\*?(inviato|sent|data|date|envoyé|gesendet)\s*:\s*\*?\s*\S`)
	// Outlook's rule above that block.
	underscoreRe = regexp.MustCompile(`^\s*_{10,}\s*$`)
)

// SplitReply separates the text a person has just written from the earlier messages it quotes and
// from the signature. quoted holds the "> " lines and everything from the first attribution line,
// Outlook header block or "original message" rule on; signature is what follows the last "-- "
// delimiter of the fresh part. Closings such as "Cordiali saluti" stay in fresh: they are text.
func SplitReply(text string) (fresh, quoted, signature string) {
	fresh, quoted, signature, _ = splitReply(text)
	return fresh, quoted, signature
}

// OwnWords is the text a person wrote above everything they quote: the fresh text of SplitReply
// up to the first quoted line or quote start, without the signature. Commands are read from it
// only, so that nothing quoted, even between a person's interleaved answers, acts for them.
func OwnWords(text string) string {
	_, _, _, own := splitReply(text)
	return own
}

// splitReply is SplitReply and OwnWords of one text, its quote found once. The lines above the
// first quoted line hold no quote start (quoteStart found none above it), so the own words are
// those lines less their signature.
func splitReply(text string) (fresh, quoted, signature, own string) {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	lines := strings.Split(text, "\n")

	cut := quoteStart(lines)
	ownEnd := cut
	var freshLines, quotedLines []string
	for i, l := range lines[:cut] {
		if isQuotedLine(l) {
			// Interleaved replies: the quote goes, the answers between quotes stay.
			quotedLines = append(quotedLines, l)
			ownEnd = min(ownEnd, i)
			continue
		}
		freshLines = append(freshLines, l)
	}
	quotedLines = append(quotedLines, lines[cut:]...)

	freshLines, sigLines := cutSignature(freshLines)
	ownLines, _ := cutSignature(lines[:ownEnd])
	return joinTrim(freshLines), joinTrim(quotedLines), joinTrim(sigLines), joinTrim(ownLines)
}

// cutSignature splits lines at the last signature delimiter, "-- " by the RFC 3676 book (some
// clients trim it).
func cutSignature(lines []string) (text, sig []string) {
	for i := len(lines) - 1; i >= 0; i-- {
		if strings.TrimRight(lines[i], " \t") == "--" {
			return lines[:i], lines[i+1:]
		}
	}
	return lines, nil
}

func isQuotedLine(l string) bool {
	return strings.HasPrefix(strings.TrimLeft(l, " \t"), ">")
}

// quoteStart returns the index of the first line of the quoted tail, or len(lines). Each pattern
// is tried only on lines whose first character can start it: most lines start none, and the
// attribution's pattern backtracks.
func quoteStart(lines []string) int {
	for i, l := range lines {
		if strings.TrimSpace(l) == "" {
			continue
		}
		lead := lowerLead(l)
		if lead == '-' && originalRe.MatchString(l) || (lead == 'i' || lead == 'b') && forwardRe.MatchString(l) {
			return i
		}
		if lead == '_' && underscoreRe.MatchString(l) && i+1 < len(lines) && outlookBlockAt(lines, nextNonBlank(lines, i+1)) {
			return i
		}
		if outlookBlockAt(lines, i) {
			return i
		}
		if lead == 'i' || lead == 'o' || lead == 'a' || lead == 'l' {
			joined := l
			for j := i; j < i+3 && j < len(lines); j++ {
				if j > i {
					joined += " " + strings.TrimSpace(lines[j])
				}
				// The pattern ends with a colon and spaces: a line that does not spares it.
				if strings.HasSuffix(strings.TrimRight(joined, " \t\n\f\r"), ":") && attributionRe.MatchString(joined) {
					return i
				}
				if strings.HasSuffix(strings.TrimSpace(lines[j]), ":") {
					break
				}
			}
		}
		// A bare "Mario Rossi <m@x.it> ha scritto:" right above quoted lines.
		if t := strings.TrimSpace(l); strings.HasSuffix(t, ":") {
			if t := strings.ToLower(t); strings.HasSuffix(t, "ha scritto:") || strings.HasSuffix(t, "wrote:") {
				if n := nextNonBlank(lines, i+1); n < len(lines) && isQuotedLine(lines[n]) {
					return i
				}
			}
		}
	}
	return len(lines)
}

// lowerLead is the first byte of l after the spaces a pattern's ^\s* skips, lower-cased, or 0.
func lowerLead(l string) byte {
	for i := 0; i < len(l); i++ {
		switch c := l[i]; c {
		case ' ', '\t', '\n', '\f', '\r':
		default:
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			return c
		}
	}
	return 0
}

// outlookBlockAt reports whether lines[i] starts Outlook's "Da:/Inviato:" block.
func outlookBlockAt(lines []string, i int) bool {
	if i >= len(lines) {
		return false
	}
	lead := lowerLead(lines[i])
	if lead == '*' {
		lead = lowerLead(strings.TrimLeft(lines[i], " \t\n\f\r")[1:])
	}
	if lead != 'd' && lead != 'f' && lead != 'v' || !outlookFromRe.MatchString(lines[i]) {
		return false
	}
	for j := i + 1; j <= i+3 && j < len(lines); j++ {
		if outlookSentRe.MatchString(lines[j]) {
			return true
		}
	}
	return false
}

func nextNonBlank(lines []string, i int) int {
	for i < len(lines) && strings.TrimSpace(lines[i]) == "" {
		i++
	}
	return i
}

func joinTrim(lines []string) string {
	return strings.TrimSpace(strings.Join(lines, "\n"))
}

// unquote removes one level of "> " from each line: the quoted text of a forward is read for forms.
func unquote(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		t := strings.TrimLeft(l, " \t")
		if strings.HasPrefix(t, ">") {
			t = strings.TrimPrefix(t[1:], " ")
			lines[i] = t
		}
	}
	return strings.Join(lines, "\n")
}
