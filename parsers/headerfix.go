package parsers

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"regexp"
	"strings"
	"sync"

	"github.com/emersion/go-message"
	"github.com/emersion/go-message/textproto"
)

// maxHeaderBytes bounds one header block, as go-message does by default.
const maxHeaderBytes = 1 << 20

// newEntity decodes the transfer encoding and charset of a body. An unknown charset or encoding
// is not fatal: go-message then returns the entity with its body as it is, and toUTF8 copes.
func newEntity(h textproto.Header, body io.Reader) *message.Entity {
	if ct, ok := fixContentType(h.Get("Content-Type")); ok {
		h = h.Copy()
		h.Set("Content-Type", ct)
	}
	e, _ := message.New(message.Header{Header: h}, body)
	return e
}

// fixPart rebuilds a part go-message read with a Content-Type it could not parse (it then sees
// no boundary and no charset). The body is already transfer-decoded, so the copy drops
// Content-Transfer-Encoding.
func (an *analyzer) fixPart(e *message.Entity) *message.Entity {
	if _, _, err := an.headerParams(e.Header, "Content-Type"); err == nil {
		return e // nearly every part: its type parsed once, for the walk too
	}
	ct, ok := fixContentType(e.Header.Get("Content-Type"))
	if !ok {
		return e
	}
	h := e.Header.Copy()
	h.Set("Content-Type", ct)
	h.Del("Content-Transfer-Encoding")
	if f, _ := message.New(h, e.Body); f != nil {
		return f
	}
	return e
}

// fixContentType returns a parseable Content-Type for a broken one such as
// `multipart/mixed; boundary="x"; charset=` or `application/pdf; name=modulo con spazi.pdf`.
func fixContentType(v string) (string, bool) {
	if v == "" {
		return "", false
	}
	if _, _, err := mime.ParseMediaType(v); err == nil {
		return "", false
	}
	t, _, _ := strings.Cut(v, ";")
	t = strings.ToLower(strings.TrimSpace(t))
	if strings.Count(t, "/") != 1 || strings.ContainsAny(t, " \t\"") {
		t = "application/octet-stream"
	}
	params := map[string]string{}
	for _, k := range []string{"boundary", "charset", "name"} {
		if p := rawParam(v, k); p != "" {
			params[k] = p
		}
	}
	ct := mime.FormatMediaType(t, params)
	if ct == "" {
		ct = mime.FormatMediaType(t, nil)
	}
	return ct, ct != ""
}

// rawParam digs a parameter out of a header that mime.ParseMediaType refused.
func rawParam(v, key string) string {
	if v == "" {
		return "" // a part without the header: most body parts
	}
	re, ok := rawParams[key]
	if !ok {
		re = rawParamRE(key)
	}
	if m := re.FindStringSubmatch(v); m != nil {
		return strings.TrimSpace(m[1])
	}
	return ""
}

// rawParams are the expressions of the parameters mailbot digs out, compiled once.
var rawParams = map[string]*regexp.Regexp{
	"boundary": rawParamRE("boundary"), "charset": rawParamRE("charset"),
	"name": rawParamRE("name"), "filename": rawParamRE("filename"),
}

func rawParamRE(key string) *regexp.Regexp {
	return regexp.MustCompile(`(?i)\b` + regexp.QuoteMeta(key) + `\*?=\s*"?([^";]+)`)
}

// errNoHeader reports input that is not a message: no header field before the body.
var errNoHeader = errors.New("no header fields")

// bufReaders are the buffers a message and its header are read through. None is kept past
// the call that took it: go-message copies each header line out of its reader.
var bufReaders = sync.Pool{New: func() any { return bufio.NewReader(nil) }}

func getBufReader(r io.Reader) *bufio.Reader {
	br := bufReaders.Get().(*bufio.Reader)
	br.Reset(r)
	return br
}

func putBufReader(br *bufio.Reader) {
	br.Reset(nil)
	bufReaders.Put(br)
}

// readHeader reads a header block leniently: lines that are not fields (an mbox "From " line,
// garbage from a broken client) are dropped instead of failing the whole message, and a header
// cut short by the end of input still counts.
func readHeader(br *bufio.Reader) (textproto.Header, error) {
	var raw bytes.Buffer
	for {
		line, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			// An endless line: keep reading it, bounded by maxHeaderBytes.
			raw.Write(line)
			if raw.Len() > maxHeaderBytes {
				return textproto.Header{}, fmt.Errorf("header over %d bytes: %w", maxHeaderBytes, ErrLimit)
			}
			continue
		}
		if len(bytes.TrimRight(line, "\r\n")) == 0 && (len(line) > 0 || err != nil) {
			break // blank line: end of header (or end of input)
		}
		raw.Write(line)
		if raw.Len() > maxHeaderBytes {
			return textproto.Header{}, fmt.Errorf("header over %d bytes: %w", maxHeaderBytes, ErrLimit)
		}
		if err != nil {
			if err == io.EOF {
				break
			}
			return textproto.Header{}, err
		}
	}
	hr := getBufReader(io.MultiReader(bytes.NewReader(raw.Bytes()), strings.NewReader("\r\n")))
	h, err := textproto.ReadHeader(hr)
	putBufReader(hr)
	if err == nil && h.Len() > 0 {
		return h, nil
	}
	var clean bytes.Buffer
	inField := false
	for _, line := range bytes.SplitAfter(raw.Bytes(), []byte("\n")) {
		switch {
		case len(line) == 0:
		case line[0] == ' ' || line[0] == '\t':
			if inField {
				clean.Write(line)
			}
		case isFieldLine(line):
			clean.Write(line)
			if !bytes.HasSuffix(line, []byte("\n")) {
				clean.WriteString("\r\n")
			}
			inField = true
		default:
			inField = false
		}
	}
	clean.WriteString("\r\n")
	h, err = textproto.ReadHeader(bufio.NewReader(&clean))
	if err != nil {
		return textproto.Header{}, fmt.Errorf("parse header: %w", err)
	}
	if h.Len() == 0 {
		return textproto.Header{}, errNoHeader
	}
	return h, nil
}

// isFieldLine reports whether line starts with "Name:", Name being printable ASCII without
// spaces (RFC 5322 section 2.2).
func isFieldLine(line []byte) bool {
	i := bytes.IndexByte(line, ':')
	if i <= 0 {
		return false
	}
	for _, c := range line[:i] {
		if c <= ' ' || c > '~' {
			return false
		}
	}
	return true
}
