package parsers

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"mime"
	"net/mail"
	"regexp"
	"strings"
	"time"

	"github.com/emersion/go-message/charset"
	"github.com/emersion/go-message/textproto"

	"mailbot/mailaddr"
)

// LoopHeader marks every message mailbot sends; mail carrying it is never answered.
const LoopHeader = "X-Mailbot-Loop"

// madeUpDomain ends every Message-ID mailbot makes up for a message that has none or cannot be
// read (.invalid is reserved, rfc/2606:91): such an ID names nothing a mail client knows.
const madeUpDomain = "@mailbot.invalid"

// MadeUpMessageID is the Message-ID mailbot gives a message that lacks one (what says why, e.g.
// "unparsable") from the hex digest of its bytes: the same message gets the same ID every time.
func MadeUpMessageID(what, digest string) string {
	return what + "-" + digest[:min(32, len(digest))] + madeUpDomain
}

// IsMadeUpMessageID tells whether id was made up by MadeUpMessageID: it must never reach
// In-Reply-To or References.
func IsMadeUpMessageID(id string) bool { return strings.HasSuffix(id, madeUpDomain) }

// TicketTag matches a ticket ID in a subject, e.g. "[INT-2026-00042]".
var TicketTag = regexp.MustCompile(`\[([A-Z]{2,5}-\d{4}-\d{3,6})\]`)

// Envelope is what intake needs from a message's top-level header: addressing, threading and the
// signs of automatic mail.
type Envelope struct {
	MessageID string // without angle brackets; a digest-based ID when the header is missing
	Synthetic bool   // MessageID was made up by mailbot
	From      string // bare address, lower case
	FromName  string
	// FromCount is how many mailboxes the From fields name: more than one says that no single
	// person wrote the message (rfc/5322:1070 then wants a Sender), so none is its sender.
	FromCount  int
	ReplyTo    string
	To         []string
	Cc         []string
	Subject    string
	Date       time.Time
	InReplyTo  []string
	References []string
	AutoReason string // why this must not be answered (RFC 3834), "" for a person's mail
	OurLoop    bool   // carries mailbot's own loop header
	Receipt    string // PEC X-Ricevuta value
	ReceiptFor string // PEC X-Riferimento-Message-ID
	Digest     string // hex sha256 of the content a person wrote: stable across mailbox copies
	// AuthResults holds every Authentication-Results header, topmost (latest added) first.
	AuthResults []string
}

// ReadEnvelope parses the header of raw and hashes its body. The digest covers the identifying
// headers and the body only, so the copies of one message delivered to two mailboxes (which differ
// in Received, Delivered-To and Return-Path) share it, while a different message reusing a
// Message-ID does not.
func ReadEnvelope(r io.Reader) (*Envelope, error) {
	br := getBufReader(r)
	defer putBufReader(br)
	h, err := readHeader(br) // the same lenient reader, and the same cap, as Analyze
	if err != nil {
		return nil, fmt.Errorf("read header: %w", err)
	}
	return envelope(h, br)
}

// envelope is the Envelope of a message of header h, its body read from body.
func envelope(h textproto.Header, body io.Reader) (*Envelope, error) {
	sum := sha256.New()
	for _, k := range []string{"Message-Id", "From", "To", "Cc", "Date", "Subject"} {
		fmt.Fprintf(sum, "%s:%s\n", k, strings.Join(h.Values(k), ","))
	}
	if _, err := io.Copy(sum, body); err != nil {
		return nil, fmt.Errorf("read body: %w", err)
	}
	e := &Envelope{Digest: hex.EncodeToString(sum.Sum(nil))}
	e.fill(h)
	return e, nil
}

// Message is a raw message held in memory, its header read once for both its envelope and its
// analysis (ReadEnvelope and AnalyzeWith each read it again).
type Message struct {
	raw    []byte
	h      textproto.Header
	bodyAt int // where the body starts in raw
}

// ReadMessage reads raw's header; it fails as ReadEnvelope(bytes.NewReader(raw)) would. The
// Message keeps raw: it must not change while the Message is used.
func ReadMessage(raw []byte) (*Message, error) {
	r := bytes.NewReader(raw)
	br := getBufReader(r)
	defer putBufReader(br)
	h, err := readHeader(br)
	if err != nil {
		return nil, fmt.Errorf("read header: %w", err)
	}
	return &Message{raw: raw, h: h, bodyAt: len(raw) - r.Len() - br.Buffered()}, nil
}

// Envelope is ReadEnvelope(bytes.NewReader(raw)).
func (m *Message) Envelope() *Envelope {
	e, _ := envelope(m.h, bytes.NewReader(m.raw[m.bodyAt:])) // reading memory cannot fail
	return e
}

// Analyze is AnalyzeWith(bytes.NewReader(raw), lim, rd).
func (m *Message) Analyze(lim Limits, rd DocumentReader) (*Analysis, error) {
	lim = lim.WithDefaults()
	if int64(m.bodyAt) >= lim.MaxMessageBytes {
		// The header is over the cap: AnalyzeWith reads only part of it.
		return AnalyzeWith(bytes.NewReader(m.raw), lim, rd)
	}
	in := &capReader{r: bytes.NewReader(m.raw[m.bodyAt:]), n: lim.MaxMessageBytes - int64(m.bodyAt)}
	br := getBufReader(in)
	defer putBufReader(br)
	return analyzeBody(m.h, br, in, lim, rd), nil
}

func (e *Envelope) fill(h textproto.Header) {
	e.MessageID = firstID(h.Get("Message-Id"))
	if e.MessageID == "" {
		e.MessageID = MadeUpMessageID("sha256", e.Digest)
		e.Synthetic = true
	}
	if a := addresses(h.Get("From")); len(a) > 0 {
		e.From, e.FromName = a[0].Address, a[0].Name
	}
	for _, v := range h.Values("From") {
		e.FromCount += len(addresses(v))
	}
	if a := addresses(h.Get("Reply-To")); len(a) > 0 {
		e.ReplyTo = a[0].Address
	}
	for _, a := range addresses(h.Get("To")) {
		e.To = append(e.To, a.Address)
	}
	for _, a := range addresses(h.Get("Cc")) {
		e.Cc = append(e.Cc, a.Address)
	}
	e.Subject = decodeSubject(h)
	if d, err := parseDate(h.Get("Date")); err == nil {
		e.Date = d
	}
	e.InReplyTo = msgIDs(h.Get("In-Reply-To"))
	e.References = msgIDs(h.Get("References"))
	if n := len(e.References); n > maxReferences {
		// Threading looks each one up: the latest are the ones that matter.
		e.References = e.References[n-maxReferences:]
	}
	e.OurLoop = h.Get(LoopHeader) != ""
	e.Receipt = strings.ToLower(strings.TrimSpace(h.Get("X-Ricevuta")))
	e.ReceiptFor = firstID(h.Get("X-Riferimento-Message-Id"))
	e.AutoReason = autoReason(h, e.From)
	e.AuthResults = h.Values("Authentication-Results")
}

// parseDate is mail.ParseDate, the date nearly every client writes ("Mon, 7 Dec 2026 12:01:01
// +0000") parsed at once: ParseDate tries two dozen layouts without a weekday before that one,
// each failure an allocated error. A value starting with a letter fails all of those, and one
// whose first sign is its zone's, with nothing after it, is what ParseDate parses whole.
func parseDate(v string) (time.Time, error) {
	if n := len(v); n > 5 && v[0]|0x20 >= 'a' && v[0]|0x20 <= 'z' && strings.IndexAny(v, "+-") == n-5 && !strings.ContainsAny(v, "\r\n") {
		if t, err := time.Parse("Mon, 2 Jan 2006 15:04:05 -0700", v); err == nil {
			return t, nil
		}
	}
	return mail.ParseDate(v)
}

// addresses parses an address-list header, keeping from a malformed one whatever looks like one
// address (a single "@", not at either end), so a sloppy message keeps its sender but an
// unbalanced quote or parenthesis never ends up inside an address.
func addresses(v string) []*mail.Address {
	if strings.TrimSpace(v) == "" {
		return nil
	}
	p := mail.AddressParser{WordDecoder: &mime.WordDecoder{CharsetReader: charset.Reader}}
	list, err := p.ParseList(v)
	if err != nil {
		list = nil
		for _, f := range strings.FieldsFunc(v, func(r rune) bool { return strings.ContainsRune(" \t,;<>\"()\\", r) }) {
			if strings.Count(f, "@") == 1 && !strings.HasPrefix(f, "@") && !strings.HasSuffix(f, "@") {
				list = append(list, &mail.Address{Address: f})
			}
		}
	}
	for _, a := range list {
		a.Address = mailaddr.Norm(a.Address).String() // not strings.ToLower: U+212A must not become "k"
	}
	return list
}

// fromAddress returns the bare, lower-case address of the first From mailbox, or "".
func fromAddress(h textproto.Header) string {
	if a := addresses(h.Get("From")); len(a) > 0 {
		return a[0].Address
	}
	return ""
}

// messageID returns the Message-ID without brackets.
func messageID(h textproto.Header) string {
	if id := firstID(h.Get("Message-Id")); id != "" {
		return id
	}
	if id := stripBrackets(h.Get("Message-Id")); ValidMessageID(id) {
		return id
	}
	return ""
}

func decodeSubject(h textproto.Header) string {
	return decodeWords(h.Get("Subject"))
}

// decodeWords decodes RFC 2047 words and stray 8-bit text, and folds whitespace.
func decodeWords(s string) string {
	dec := mime.WordDecoder{CharsetReader: charset.Reader}
	if d, err := dec.DecodeHeader(s); err == nil {
		s = d
	}
	return strings.Join(strings.Fields(toUTF8([]byte(s))), " ")
}

// maxReferences is the most References ids kept for threading.
const maxReferences = 100

// MaxMessageIDBytes is the longest Message-ID mailbot keeps or repeats; real ones are under 100
// bytes, and a 60 KB one would make every reply's header as long.
const MaxMessageIDBytes = 250

// ValidMessageID reports whether id (without brackets) can stand in a header mailbot writes:
// 1 to MaxMessageIDBytes printable ASCII characters, no spaces or angle brackets.
func ValidMessageID(id string) bool {
	if id == "" || len(id) > MaxMessageIDBytes {
		return false
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; c <= ' ' || c >= 0x7f || c == '<' || c == '>' {
			return false
		}
	}
	return true
}

// msgIDs extracts every <id> of a threading header, without brackets; a malformed or huge one
// (see ValidMessageID) is dropped.
func msgIDs(v string) []string {
	var ids []string
	for {
		i := strings.IndexByte(v, '<')
		if i < 0 {
			break
		}
		j := strings.IndexByte(v[i:], '>')
		if j < 0 {
			break
		}
		if id := strings.TrimSpace(v[i+1 : i+j]); ValidMessageID(id) {
			ids = append(ids, id)
		}
		v = v[i+j+1:]
	}
	if len(ids) == 0 {
		// Some clients omit the brackets.
		for _, f := range strings.Fields(v) {
			if strings.Contains(f, "@") && ValidMessageID(f) {
				ids = append(ids, f)
			}
		}
	}
	return ids
}

func firstID(v string) string {
	if ids := msgIDs(v); len(ids) > 0 {
		return ids[0]
	}
	return ""
}

// TicketIDs returns the ticket tags found in a subject, in order.
func TicketIDs(subject string) []string {
	var ids []string
	for _, m := range TicketTag.FindAllStringSubmatch(subject, -1) {
		ids = append(ids, m[1])
	}
	return ids
}
