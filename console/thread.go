package console

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/emersion/go-message/mail"
	"github.com/k3a/html2text"

	"mailbot/templates/say"
	"mailbot/ticketing"
)

// Bounds of what the case page reads of a stored message.
const (
	maxShownText  = 64 << 10  // characters of a message's text shown
	maxParts      = 100       // parts of a message looked at
	maxPartBytes  = 40 << 20  // bytes of one attachment served
	maxTextSource = 512 << 10 // bytes of a text part read
)

// Mail is one message of a case's thread, as the case page shows it: text, never HTML.
type Mail struct {
	ticketing.Message
	Text        string
	Truncated   bool
	Attachments []string // file names, in order; downloaded by index
	Unreadable  bool     // the stored copy could not be read (removed by retention, say)
}

// partName is the name an attachment is listed and downloaded under.
func partName(h mail.PartHeader, n int) string {
	if ah, ok := h.(*mail.AttachmentHeader); ok {
		if name, err := ah.Filename(); err == nil && name != "" {
			return name
		}
	}
	if _, params, err := mime.ParseMediaType(h.Get("Content-Type")); err == nil && params["name"] != "" {
		return params["name"]
	}
	return fmt.Sprintf("parte-%d", n)
}

// walk reads a stored message: its text (the first text/plain part, else the first HTML part
// turned into text) and its other parts, handing each to fn with its index until fn says stop.
func walk(r io.Reader, fn func(i int, name string, body io.Reader) bool) (text string, truncated bool, err error) {
	mr, err := mail.CreateReader(r)
	if err != nil && mr == nil {
		return "", false, err
	}
	var html string
	n := 0
	for range maxParts {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			break // a broken part ends what can be shown, not the page
		}
		ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		_, isAttachment := p.Header.(*mail.AttachmentHeader)
		switch {
		case !isAttachment && (ct == "text/plain" || ct == "") && text == "":
			b, _ := io.ReadAll(io.LimitReader(p.Body, maxTextSource))
			text = string(b)
		case !isAttachment && ct == "text/html" && html == "":
			b, _ := io.ReadAll(io.LimitReader(p.Body, maxTextSource))
			html = string(b)
		case !isAttachment && strings.HasPrefix(ct, "multipart/"):
		default:
			if !fn(n, partName(p.Header, n), p.Body) {
				return text, false, nil
			}
			n++
		}
	}
	if text == "" && html != "" {
		text = html2text.HTML2Text(html)
	}
	text = strings.ToValidUTF8(text, "\uFFFD")
	if utf8.RuneCountInString(text) > maxShownText {
		text, truncated = string([]rune(text)[:maxShownText]), true
	}
	return text, truncated, nil
}

// open reads the stored copy of a message of a thread: a message received, or mailbot's own
// mail, kept in the outbox (masked where it carried secrets).
func (s *Server) open(ctx context.Context, m ticketing.Message) (io.ReadCloser, error) {
	switch {
	case m.Direction == "out":
		raw, err := s.store.SentCopy(ctx, m.MessageID)
		if err != nil {
			return nil, err
		}
		return io.NopCloser(bytes.NewReader(raw)), nil
	case m.Blob != "":
		return s.store.OpenBlob(m.Blob)
	}
	return nil, ticketing.ErrNotFound
}

// thread reads the text and attachment names of each message of a case.
func (s *Server) thread(ctx context.Context, msgs []ticketing.Message) []Mail {
	out := make([]Mail, 0, len(msgs))
	for _, m := range msgs {
		ml := Mail{Message: m}
		r, err := s.open(ctx, m)
		if err != nil {
			ml.Unreadable = true
			out = append(out, ml)
			continue
		}
		ml.Text, ml.Truncated, err = walk(r, func(_ int, name string, _ io.Reader) bool {
			ml.Attachments = append(ml.Attachments, name)
			return true
		})
		r.Close()
		ml.Unreadable = err != nil
		out = append(out, ml)
	}
	return out
}

// attachment serves one attachment of one message of a case, always as a download of opaque
// bytes: whatever it claims to be, the browser neither renders nor runs it.
func (s *Server) attachment(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	mid, err1 := strconv.ParseInt(r.PathValue("msg"), 10, 64)
	idx, err2 := strconv.Atoi(r.PathValue("n"))
	msgs, err := s.store.Messages(r.Context(), id)
	if err1 != nil || err2 != nil || err != nil {
		s.fail(w, r, http.StatusNotFound, say.Text("console.attachment_not_found"))
		return
	}
	for _, m := range msgs {
		if m.ID != mid {
			continue
		}
		f, err := s.open(r.Context(), m)
		if err != nil {
			break
		}
		defer f.Close()
		found := false
		walk(f, func(i int, name string, body io.Reader) bool {
			if i != idx {
				return true
			}
			found = true
			h := w.Header()
			h.Set("Content-Type", "application/octet-stream")
			cd := mime.FormatMediaType("attachment", map[string]string{"filename": name})
			if cd == "" {
				cd = "attachment"
			}
			h.Set("Content-Disposition", cd)
			h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
			io.Copy(w, io.LimitReader(body, maxPartBytes))
			return false
		})
		if found {
			return
		}
		break
	}
	s.fail(w, r, http.StatusNotFound, say.Text("console.attachment_not_found"))
}
