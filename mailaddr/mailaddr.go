// Package mailaddr is the one place email addresses are parsed, normalised and compared. Every
// package that asks "is this the same person?" (the senders a case knows, the caps on
// automatic mail, staff, the console, erasure) goes through Address, so that they cannot
// disagree.
package mailaddr

import (
	"net/mail"
	"strings"
)

// Address is an email address in mailbot's one normal form: no display name, no surrounding
// space, the ASCII letters in lower case and nothing else folded. Unicode folding would turn the
// Kelvin sign (U+212A) into "k" and U+0130 into "i", so a look-alike would match a staff
// member's address; an address with non-ASCII characters therefore only ever equals itself.
// The zero value is no address.
type Address string

// Parse reads the address in a value a person or a header wrote ("Mario Rossi <m.rossi@x.it>",
// " M.Rossi@X.it "), normalised; "" when the value holds no single, plausible address.
func Parse(v string) Address {
	v = strings.TrimSpace(v)
	if a, err := mail.ParseAddress(v); err == nil {
		v = a.Address
	}
	if strings.ContainsAny(v, " \t\r\n<>,;") || strings.Count(v, "@") != 1 || strings.HasPrefix(v, "@") || strings.HasSuffix(v, "@") {
		return ""
	}
	return Address(Fold(v))
}

// Norm normalises an address already bare (from a parsed header or the database) without
// checking it: space trimmed, ASCII folded.
func Norm(addr string) Address { return Address(Fold(strings.TrimSpace(addr))) }

// Same tells whether a and b name one address once normalised.
func Same(a, b string) bool { return Norm(a) == Norm(b) }

// String is the address as text.
func (a Address) String() string { return string(a) }

// Domain is the address's domain without a trailing dot, "" when there is none.
func (a Address) Domain() string {
	if i := strings.LastIndexByte(string(a), '@'); i >= 0 {
		return Domain(string(a[i+1:]))
	}
	return ""
}

// Untagged is the address without its +tag (x+1@ and x+2@ reach one mailbox): for counting
// what one mailbox receives, never for deciding who someone is.
func (a Address) Untagged() Address {
	local, domain, ok := strings.Cut(string(a), "@")
	if !ok {
		return a
	}
	if i := strings.IndexByte(local, '+'); i > 0 {
		local = local[:i]
	}
	return Address(local + "@" + domain)
}

// Trusted tells whether a can stand for a configured person (staff): ASCII only, so that no
// look-alike passes for a configured address, and exactly one "@".
func (a Address) Trusted() bool {
	return a != "" && IsASCII(string(a)) && strings.Count(string(a), "@") == 1
}

// Domain normalises a domain name for comparison: space and a trailing dot trimmed, ASCII folded.
func Domain(d string) string { return Fold(strings.TrimSuffix(strings.TrimSpace(d), ".")) }

// Fold lower-cases the ASCII letters of s and nothing else (see Address): for addresses, domains
// and protocol tokens compared for trust.
func Fold(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if c := b[j]; c >= 'A' && c <= 'Z' {
					b[j] = c + 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// IsASCII tells whether s holds only ASCII characters.
func IsASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
