package parsers

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"mailbot/mailaddr"
)

// Authentication-Results (rfc/8601:393) is what a receiving server writes about the checks it
// made on a message: SPF, DKIM, DMARC and others. Real servers write comments with ";" inside
// ("dkim=pass (2048-bit key; secure)"), quoted values, versions, and some leave out parts of the
// grammar (Exchange Online writes no authserv-id, and a bare "action=none"): the parser follows
// the RFC and tolerates exactly these habits, so that a header can be trusted only as a whole.

// AuthResults is one Authentication-Results header field.
type AuthResults struct {
	// AuthServID names the server that made the checks, as written. It is "" when the header
	// has none (Exchange Online). When parsing fails it still holds the authserv-id if one could
	// be told, so a caller can recognise its own server's header and refuse it as a whole.
	AuthServID string
	Version    int // 1 when absent
	// Results is empty for "none" (no checks made).
	Results []AuthResult
}

// AuthResult is one "method=result" entry with its reason and properties.
type AuthResult struct {
	Method  string // ASCII lower case: "dkim", "dmarc", "spf", "arc", …
	Version int    // method version, 0 when absent
	Result  string // ASCII lower case: "pass", "fail", "none", …
	Reason  string
	Props   []AuthProp
}

// AuthProp is a "ptype.property=value" entry, e.g. header.d=example.com.
type AuthProp struct {
	Type  string // ASCII lower case: "smtp", "header", "body", "policy"; "" for a bare "name=value" (Exchange)
	Name  string // ASCII lower case
	Value string // quoted strings unquoted
}

// Prop returns the value of the first property ptype.name, or "".
func (r AuthResult) Prop(ptype, name string) string {
	for _, p := range r.Props {
		if p.Type == ptype && p.Name == name {
			return p.Value
		}
	}
	return ""
}

// ErrAuthResults is wrapped by every ParseAuthResults error.
var ErrAuthResults = errors.New("malformed Authentication-Results")

// ParseAuthResults parses the value of an Authentication-Results header field (rfc/8601:393).
// A header that does not follow the grammar is an error: nothing of it should be believed.
func ParseAuthResults(v string) (AuthResults, error) {
	p := &arParser{s: v}
	res, err := p.payload()
	if err != nil {
		if res.AuthServID == "" {
			res.AuthServID = guessAuthServID(v)
		}
		return AuthResults{AuthServID: res.AuthServID}, fmt.Errorf("%w: %v at offset %d", ErrAuthResults, err, p.i)
	}
	return res, nil
}

// guessAuthServID is the first word of a header that could not be parsed, so that a broken
// header of our own server is still recognised as ours.
func guessAuthServID(v string) string {
	v = strings.TrimLeft(v, " \t\r\n")
	end := strings.IndexFunc(v, func(r rune) bool { return r == ' ' || r == '\t' || r == '\r' || r == '\n' || r == ';' || r == '(' })
	if end >= 0 {
		v = v[:end]
	}
	if strings.Contains(v, "=") {
		return "" // a result, not an authserv-id
	}
	return strings.Trim(v, `"`)
}

type arParser struct {
	s string
	i int
}

func (p *arParser) eof() bool { return p.i >= len(p.s) }

func (p *arParser) peek() byte {
	if p.eof() {
		return 0
	}
	return p.s[p.i]
}

// cfws skips white space, line breaks and comments, nested ones included (rfc/5322:694).
func (p *arParser) cfws() error {
	for !p.eof() {
		switch c := p.s[p.i]; {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			p.i++
		case c == '(':
			depth := 0
			for {
				if p.eof() {
					return errors.New("unterminated comment")
				}
				switch p.s[p.i] {
				case '\\':
					p.i++
				case '(':
					depth++
				case ')':
					depth--
				}
				p.i++
				if depth == 0 {
					break
				}
			}
		default:
			return nil
		}
	}
	return nil
}

func isKeywordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_'
}

// keyword reads a method, result, ptype or property name (rfc/8601:460, Keyword of rfc/5321).
func (p *arParser) keyword() (string, error) {
	start := p.i
	for !p.eof() && isKeywordByte(p.s[p.i]) {
		p.i++
	}
	if p.i == start {
		return "", errors.New("keyword expected")
	}
	return mailaddr.Fold(p.s[start:p.i]), nil
}

func (p *arParser) digits() (int, error) {
	start := p.i
	for !p.eof() && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
		p.i++
	}
	if p.i == start || p.i-start > 9 {
		return 0, errors.New("version expected")
	}
	return strconv.Atoi(p.s[start:p.i])
}

// quoted reads a quoted-string, unfolding line breaks inside it.
func (p *arParser) quoted() (string, error) {
	p.i++ // opening quote
	var b strings.Builder
	for !p.eof() {
		c := p.s[p.i]
		p.i++
		switch c {
		case '"':
			return b.String(), nil
		case '\\':
			if p.eof() {
				return "", errors.New("unterminated quoted string")
			}
			if c := p.s[p.i]; c != '\r' && c != '\n' {
				b.WriteByte(c)
			}
			p.i++
		case '\r', '\n': // folding
		default:
			b.WriteByte(c)
		}
	}
	return "", errors.New("unterminated quoted string")
}

// tspecials are the characters a MIME token may not hold (rfc/2045:469).
const tspecials = "()<>@,;:\\\"/[]?="

// token reads an authserv-id: a MIME token or a quoted string.
func (p *arParser) token() (string, error) {
	if p.peek() == '"' {
		return p.quoted()
	}
	start := p.i
	for !p.eof() {
		c := p.s[p.i]
		if c <= ' ' || c == 0x7f || strings.IndexByte(tspecials, c) >= 0 {
			break
		}
		p.i++
	}
	if p.i == start {
		return "", errors.New("authserv-id expected")
	}
	return p.s[start:p.i], nil
}

// valueStop ends an unquoted property or reason value. The RFC allows a token or an address
// there; servers also write "/", "+" and "=" (base64 in header.b), so anything else is kept.
const valueStop = " \t\r\n;()\"\\"

// value reads a property or reason value (rfc/8601:478 pvalue).
func (p *arParser) value() (string, error) {
	if p.peek() == '"' {
		return p.quoted()
	}
	start := p.i
	for !p.eof() && strings.IndexByte(valueStop, p.s[p.i]) < 0 {
		p.i++
	}
	if p.i == start {
		return "", errors.New("value expected")
	}
	return p.s[start:p.i], nil
}

func (p *arParser) expect(c byte) error {
	if p.peek() != c {
		return fmt.Errorf("%q expected", c)
	}
	p.i++
	return p.cfws()
}

// payload is authserv-id [version] ( "; none" / 1*resinfo ) (rfc/8601:400).
func (p *arParser) payload() (AuthResults, error) {
	res := AuthResults{Version: 1}
	if err := p.cfws(); err != nil {
		return res, err
	}
	start := p.i
	id, err := p.token()
	if err != nil {
		return res, err
	}
	if err := p.cfws(); err != nil {
		return res, err
	}
	first := false
	if p.peek() == '=' || p.peek() == '/' {
		// Exchange Online: no authserv-id, the header starts with the first result.
		p.i, id, first = start, "", true
	} else if id == "" {
		return res, errors.New("empty authserv-id")
	} else if c := p.peek(); c >= '0' && c <= '9' {
		res.AuthServID = id
		if res.Version, err = p.digits(); err != nil {
			return res, err
		}
		if err := p.cfws(); err != nil {
			return res, err
		}
	}
	res.AuthServID = id
	if !first && p.eof() {
		return res, errors.New("no results")
	}
	for !p.eof() {
		if !first {
			if err := p.expect(';'); err != nil {
				return res, err
			}
			if p.eof() {
				break // a trailing ";", as some servers write
			}
		}
		first = false
		r, err := p.resinfo()
		if err != nil {
			return res, err
		}
		if r.Method == "none" && r.Result == "" {
			if len(res.Results) > 0 || !p.eof() {
				return res, errors.New(`"none" must stand alone`)
			}
			return res, nil
		}
		res.Results = append(res.Results, r)
	}
	return res, nil
}

// resinfo is methodspec [reasonspec] *propspec (rfc/8601:413); or the lone "none".
func (p *arParser) resinfo() (AuthResult, error) {
	var r AuthResult
	var err error
	if r.Method, err = p.keyword(); err != nil {
		return r, err
	}
	if err := p.cfws(); err != nil {
		return r, err
	}
	if r.Method == "none" && (p.eof() || p.peek() == ';') {
		return r, nil
	}
	if p.peek() == '/' {
		if err := p.expect('/'); err != nil {
			return r, err
		}
		if r.Version, err = p.digits(); err != nil {
			return r, err
		}
		if err := p.cfws(); err != nil {
			return r, err
		}
	}
	if err := p.expect('='); err != nil {
		return r, err
	}
	if r.Result, err = p.keyword(); err != nil {
		return r, err
	}
	for {
		if err := p.cfws(); err != nil {
			return r, err
		}
		if p.eof() || p.peek() == ';' {
			return r, nil
		}
		name, err := p.keyword()
		if err != nil {
			return r, err
		}
		if err := p.cfws(); err != nil {
			return r, err
		}
		prop := AuthProp{Name: name}
		if p.peek() == '.' {
			if err := p.expect('.'); err != nil {
				return r, err
			}
			prop.Type = name
			if prop.Name, err = p.keyword(); err != nil {
				return r, err
			}
			if err := p.cfws(); err != nil {
				return r, err
			}
		}
		if err := p.expect('='); err != nil {
			return r, err
		}
		v, err := p.value()
		if err != nil {
			return r, err
		}
		if prop.Type == "" && prop.Name == "reason" {
			r.Reason = v
			continue
		}
		prop.Value = v
		r.Props = append(r.Props, prop)
	}
}

// String writes the header value back in the RFC's form (comments are not kept).
func (a AuthResults) String() string {
	var b strings.Builder
	if a.AuthServID != "" {
		b.WriteString(quoteIf(a.AuthServID, tspecials))
		if a.Version != 1 {
			fmt.Fprintf(&b, " %d", a.Version)
		}
	}
	if len(a.Results) == 0 {
		b.WriteString("; none")
	}
	for i, r := range a.Results {
		if i > 0 || a.AuthServID != "" {
			b.WriteString("; ")
		}
		b.WriteString(r.Method)
		if r.Version != 0 {
			fmt.Fprintf(&b, "/%d", r.Version)
		}
		b.WriteString("=" + r.Result)
		if r.Reason != "" {
			b.WriteString(" reason=" + quoteIf(r.Reason, valueStop))
		}
		for _, pr := range r.Props {
			b.WriteByte(' ')
			if pr.Type != "" {
				b.WriteString(pr.Type + ".")
			}
			b.WriteString(pr.Name + "=" + quoteIf(pr.Value, valueStop))
		}
	}
	return b.String()
}

// quoteIf writes s as a quoted string when it is empty or holds one of special or a control.
func quoteIf(s, special string) string {
	plain := s != ""
	for i := 0; i < len(s) && plain; i++ {
		plain = s[i] > ' ' && s[i] != 0x7f && strings.IndexByte(special, s[i]) < 0
	}
	if plain {
		return s
	}
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	b.WriteByte('"')
	return b.String()
}
