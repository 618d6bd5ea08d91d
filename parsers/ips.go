package parsers

import (
	"net/netip"
	"regexp"
	"slices"
	"strings"
)

// ipToken finds what looks like an IP address or CIDR in text: dotted quads (even wrong ones,
// which the referent must correct) and IPv6 with at least two colons.
var ipToken = regexp.MustCompile(`(?i)(?:^|[^0-9a-z.:])((?:\d{1,3}\.){3}\d{1,3}(?:/\d{1,3})?|[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}(?:/\d{1,3})?)`)

// collectIPs gathers valid caller IPs from the forms' ip_* fields and the fresh text, and turns
// the invalid ones of the text into problems of the body form.
func (an *analyzer) collectIPs(fresh string) {
	a := an.a
	seen := map[string]bool{}
	add := func(v string) {
		if n, err := NormalizeIP(v); err == nil && !seen[n] {
			seen[n] = true
			a.IPs = append(a.IPs, n)
		}
	}
	// Addresses the forms already hold or already complain about are not reported twice.
	inForms := map[string]bool{}
	var keys []string
	for _, f := range a.Forms {
		keys = keys[:0]
		for k := range f.Fields {
			if strings.HasPrefix(k, "ip_") {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys) // in key order: the same list every time
		for _, k := range keys {
			for _, ip := range frValues(f.Fields[k]) {
				inForms[strings.TrimSpace(ip)] = true
				add(ip)
			}
		}
		for _, p := range f.Problems {
			if strings.HasPrefix(p.Field, "ip_") {
				inForms[strings.TrimSpace(p.Value)] = true
			}
		}
	}
	var problems []Problem
	// A token holds no line end, and the line end before it is what the pattern wants before
	// one: matching line by line finds the same tokens, and skips lines that cannot hold one.
	for start := 0; start < len(fresh); {
		end := strings.IndexByte(fresh[start:], '\n') + 1
		if end == 0 {
			end = len(fresh) - start
		}
		line := fresh[start : start+end]
		off := start
		start += end
		if strings.Count(line, ".") < 3 && strings.Count(line, ":") < 2 {
			continue
		}
		for _, m := range ipToken.FindAllStringSubmatchIndex(line, -1) {
			tok, rest := line[m[2]:m[3]], fresh[off+m[3]:]
			if !looksLikeIP(tok) || !ipTokenEnds(tok, rest) || inForms[tok] {
				continue
			}
			if _, err := NormalizeIP(tok); err != nil {
				problems = append(problems, ipProblem(tok, err))
				inForms[tok] = true // once per address
				continue
			}
			add(tok)
		}
	}
	if len(problems) == 0 {
		return
	}
	for i := range a.Forms {
		if a.Forms[i].Source == SourceBody {
			a.Forms[i].Problems = append(a.Forms[i].Problems, problems...)
			return
		}
	}
	a.Forms = append(a.Forms, Form{Source: SourceBody, Fields: map[string]any{}, Problems: problems, Provenance: map[string]Provenance{}})
}

// ipTokenEnds reports whether the token found is whole: "1.2.3.4" in "versione 1.2.3.4.5" or
// "1.2.3.4abc" is not an address. A port after an IPv4 address ("1.2.3.4:8443") is fine.
func ipTokenEnds(tok, rest string) bool {
	if rest == "" {
		return true
	}
	c := rest[0]
	if c < 0x80 && isAlnum(string(c)) {
		return false
	}
	if c == '.' && len(rest) > 1 && rest[1] >= '0' && rest[1] <= '9' {
		return false
	}
	return c != ':' || !strings.Contains(tok, ":")
}

// looksLikeIP keeps dotted quads and tokens that parse as IPv6: "10:15:00" is a time, not an
// address, and must not become a problem.
func looksLikeIP(tok string) bool {
	addr, _, _ := strings.Cut(tok, "/")
	if strings.Count(addr, ".") == 3 && !strings.Contains(addr, ":") {
		return true
	}
	_, err := netip.ParseAddr(addr)
	return err == nil
}

// ipProblem reports an address of the body that cannot be a caller. The body's addresses are
// usually the production ones the referent lists at step 3.
func ipProblem(value string, err error) Problem {
	return Problem{Field: KeyIpEsercizio, Value: value, Message: err.Error()}
}
