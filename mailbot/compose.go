package mailbot

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	gomail "github.com/wneessen/go-mail"

	"mailbot/parsers"
	"mailbot/templates"
	"mailbot/ticketing"
)

// outgoing is a mail to render: who, what, and where it threads.
type outgoing struct {
	TicketID    string
	Kind        string
	To          []string
	Subject     string
	Body        templates.Mail
	InReplyTo   string   // Message-ID answered, without brackets
	References  []string // thread so far, without brackets
	Auto        bool     // an automatic reply (RFC 3834 headers, rate limit)
	Answering   string   // for an automatic reply, the sender answered (its domain is capped)
	Attachments []attachment
	Embeds      []attachment // inline parts the HTML shows as cid:<Name>
	// Redacted, if set, is the body kept once the mail is sent (secrets masked).
	Redacted *templates.Mail
	// Aside keeps a mail about a ticket out of the ticket's correspondence (an escalation to
	// staff): not recorded as a message of the ticket, so it does not count as mailbot's answer.
	Aside bool
	// Held, if set, is why an hourly cap stopped this automatic reply: it is kept in the outbox
	// for a person to release or drop (mailbot held, the console), not sent.
	Held string
}

type attachment struct {
	Name string
	Data []byte
	// b64 is Data base64-encoded in lines as go-mail writes it (encodeLines), as an outbox part,
	// when it is known already: render leaves its place for these bytes instead of encoding Data
	// again, and the outbox stores them once (the blank forms go with every reply that asks for
	// them; blankForms).
	b64 *ticketing.Part
}

// encodeLines is data in base64 as go-mail writes an attachment: lines of gomail.MaxBodyLength
// characters, each ended by CRLF.
func encodeLines(data []byte) []byte {
	enc := make([]byte, base64.StdEncoding.EncodedLen(len(data)))
	base64.StdEncoding.Encode(enc, data)
	out := make([]byte, 0, len(enc)+(len(enc)/gomail.MaxBodyLength+1)*2)
	for len(enc) > 0 {
		n := min(len(enc), gomail.MaxBodyLength)
		out = append(append(out, enc[:n]...), '\r', '\n')
		enc = enc[n:]
	}
	return out
}

// blankForm is the blank form of a type in a format as an attachment, its encoding worked out
// once for the daemon's life.
func blankForm(formType, format string) (attachment, error) {
	key := formType + "." + format
	if a, ok := blankCache.Load(key); ok {
		return a.(attachment), nil
	}
	name, data, err := templates.BlankForm(formType, format)
	if err != nil {
		return attachment{}, err
	}
	enc := ticketing.NewPart(encodeLines(data))
	a := attachment{Name: name, Data: data, b64: &enc}
	blankCache.Store(key, a)
	return a, nil
}

// blankCache holds blankForm's attachments by "type.format".
var blankCache sync.Map

// blankForms are the blank forms of form types, each as PDF and DOCX, as attachments.
func blankForms(types []string) ([]attachment, error) {
	var out []attachment
	for _, t := range types {
		for _, format := range []string{"pdf", "docx"} {
			a, err := blankForm(t, format)
			if err != nil {
				return nil, err
			}
			out = append(out, a)
		}
	}
	return out, nil
}

// newMessageID makes a Message-ID that names the ticket, so a reply that loses its subject tag
// and References still carries a hint of where it belongs.
func newMessageID(ticketID, domain string) string {
	var b [9]byte
	rand.Read(b[:])
	id := "mailbot." + hex.EncodeToString(b[:])
	if ticketID != "" {
		id = strings.ToLower(ticketID) + "." + hex.EncodeToString(b[:])
	}
	return id + "@" + domain
}

// replyable tells why mail to addr cannot be rendered (go-mail refuses the address), or nil.
// Intake checks it before deciding to answer: an address like `"x@y"@host`, which net/mail
// reads as x@y@host, must end as a reason given to staff, never as a failed transaction.
func replyable(addr string) error {
	if addr == "" {
		return errors.New("no address")
	}
	return gomail.NewMsg().To(addr)
}

// render turns o into the exact bytes the outbox will send, with a fixed Message-ID.
func render(o outgoing, from, messageID string, date time.Time) ([]byte, error) {
	raw, parts, err := renderParts(o, from, messageID, date)
	if err != nil || len(parts) == 0 {
		return raw, err
	}
	return ticketing.Whole(raw, parts), nil
}

// renderParts is render leaving out the attachments encoded already: raw has their places,
// parts their bytes, as the outbox stores them (ticketing.Part).
func renderParts(o outgoing, from, messageID string, date time.Time) (raw []byte, parts []ticketing.Part, err error) {
	m := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	if err := m.From(from); err != nil {
		return nil, nil, fmt.Errorf("from %q: %w", from, err)
	}
	if err := m.To(o.To...); err != nil {
		return nil, nil, fmt.Errorf("to %v: %w", o.To, err)
	}
	m.Subject(o.Subject)
	m.SetMessageIDWithValue(messageID)
	m.SetDateWithValue(date)
	m.SetGenHeader(gomail.HeaderXMailer, "mailbot")
	m.SetGenHeader(parsers.LoopHeader, o.Kind+"; "+o.TicketID)
	if o.Auto {
		// rfc/3834:186 and Microsoft's suppression header: no auto-reply to our auto-reply.
		m.SetGenHeader("Auto-Submitted", "auto-replied")
		m.SetGenHeader(gomail.HeaderXAutoResponseSuppress, "All")
	} else {
		m.SetGenHeader("Auto-Submitted", "auto-generated")
	}
	if parsers.ValidMessageID(o.InReplyTo) {
		m.SetGenHeader(gomail.HeaderInReplyTo, "<"+o.InReplyTo+">")
	}
	if refs := threadRefs(o.References, o.InReplyTo); len(refs) > 0 {
		// One value: go-mail would join several with ", ", which is not References syntax.
		m.SetGenHeader(gomail.HeaderReferences, strings.Join(refs, " "))
	}
	m.SetBodyString(gomail.TypeTextPlain, o.Body.Text)
	if o.Body.HTML != "" {
		m.AddAlternativeString(gomail.TypeTextHTML, o.Body.HTML)
	}
	// Read in place: the Reader forms would copy each file first.
	size := 2<<10 + 3*(len(o.Body.Text)+len(o.Body.HTML))/2 // headers, and quoted-printable of accented text
	for _, e := range o.Embeds {
		m.EmbedReadSeeker(e.Name, bytes.NewReader(e.Data))
		size += len(e.Data)*4/3 + len(e.Data)/38 + 512 // base64, its line breaks, the part's header
	}
	var b bytes.Buffer
	// An attachment encoded already is rendered empty, and where go-mail would have written
	// its body (at the moment it asks for the bytes: it has just written the part's header)
	// is noted as its part's place, in the order go-mail writes them (the order added).
	placed := 0
	mark := gomail.FileOption(func(f *gomail.File) {
		f.Writer = func(io.Writer) (int64, error) {
			if placed < len(parts) {
				parts[placed].At = b.Len()
			}
			placed++
			return 0, nil
		}
	})
	for _, a := range o.Attachments {
		if a.b64 != nil {
			m.AttachReadSeeker(a.Name, bytes.NewReader(nil), mark)
			parts = append(parts, *a.b64)
			continue
		}
		m.AttachReadSeeker(a.Name, bytes.NewReader(a.Data))
		size += len(a.Data)*4/3 + len(a.Data)/38 + 512
	}
	b.Grow(size) // grown once, not doubled through the mail's size
	if _, err := m.WriteTo(&b); err != nil {
		return nil, nil, fmt.Errorf("render mail: %w", err)
	}
	if placed != len(parts) {
		return nil, nil, fmt.Errorf("render mail: %d of %d encoded attachments placed", placed, len(parts))
	}
	return b.Bytes(), parts, nil
}

// threadRefs builds References: the thread so far plus the message answered, bracketed, at
// most the last maxThreadRefs, each a well-formed id (a sender's References would otherwise make
// our headers as long as they like).
func threadRefs(refs []string, inReplyTo string) []string {
	var out []string
	seen := map[string]bool{}
	for _, r := range append(append([]string{}, refs...), inReplyTo) {
		if !parsers.ValidMessageID(r) || seen[r] {
			continue
		}
		seen[r] = true
		out = append(out, "<"+r+">")
	}
	return out[max(0, len(out)-maxThreadRefs):]
}

// maxThreadRefs is the most ids in the References of a mail mailbot writes.
const maxThreadRefs = 10
