package catalog

import (
	"net/netip"
	"regexp"
	"strings"
	"unicode/utf8"
)

// omitted replaces what must not be published.
const omitted = "[omesso]"

var (
	emailRE = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)+`)
	// Candidates only: each match is checked with netip, so "4.2.1" or "10:30" stay.
	ipv4RE = regexp.MustCompile(`\b\d{1,3}(\.\d{1,3}){3}(/\d{1,2})?\b`)
	ipv6RE = regexp.MustCompile(`[0-9A-Fa-f]*:[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(/\d{1,3})?`)
	// A phone number: nine or more digits, maybe after +, with spaces, dots or dashes between.
	phoneRE = regexp.MustCompile(`\+?\d[\d .\-]{7,}\d`)
)

// clean makes one value of a form fit for publication: spaces collapsed, e-mail addresses
// removed (a referent's address may be typed into any field).
func clean(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	return emailRE.ReplaceAllString(s, omitted)
}

// cleanFree is clean for free text (process phases, functions), where people also write IP
// addresses and phone numbers. Not for versions or identifiers: "1.2.3.4" is a fine version.
func cleanFree(s string) string {
	s = clean(s)
	ip := func(m string) string {
		if _, err := netip.ParsePrefix(m); err == nil {
			return omitted
		}
		if _, err := netip.ParseAddr(m); err == nil {
			return omitted
		}
		return m
	}
	s = ipv4RE.ReplaceAllStringFunc(s, ip)
	s = ipv6RE.ReplaceAllStringFunc(s, ip)
	return phoneRE.ReplaceAllStringFunc(s, func(m string) string {
		digits := 0
		for _, r := range m {
			if r >= '0' && r <= '9' {
				digits++
			}
		}
		if digits >= 9 {
			return omitted
		}
		return m
	})
}

// cleanList cleans every item of a list, dropping empty ones; never nil.
func cleanList(items []string) []string {
	out := []string{}
	for _, it := range items {
		if it = clean(it); it != "" {
			out = append(out, it)
		}
	}
	return out
}

// cleanFreeList is cleanList for lists of free text.
func cleanFreeList(items []string) []string {
	out := []string{}
	for _, it := range items {
		if it = cleanFree(it); it != "" {
			out = append(out, it)
		}
	}
	return out
}

// brief shortens text to at most max characters, at a word boundary, marking the cut with "…".
func brief(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)[:max-1]
	cut := string(r)
	if i := strings.LastIndexByte(cut, ' '); i > max/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,;.") + "…"
}
