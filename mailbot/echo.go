package mailbot

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// What mailbot repeats of a sender's message (subject, display name, attachment names) goes out
// from the Region's address to whoever the sender names: bounded, so that mailbot cannot be
// used to relay someone's text at length.

// maxEcho is the most characters of a sender's text repeated in any mail, maxEchoList the most
// items (attachment names) listed.
const (
	maxEcho     = 200
	maxEchoList = 20
)

// echoText is s on one line: format characters (bidi overrides, zero-width) dropped, control
// characters and runs of spaces made one space, cut to at most max characters with an ellipsis marking the cut.
func echoText(s string, max int) string {
	out := make([]rune, 0, min(len(s), max+1))
	space := false
	for _, r := range s {
		if r == utf8.RuneError || unicode.Is(unicode.Cf, r) {
			continue // invisible: zero-width characters, bidi overrides
		}
		if unicode.IsControl(r) || unicode.IsSpace(r) {
			space = len(out) > 0
			continue
		}
		if space {
			out = append(out, ' ')
			space = false
		}
		out = append(out, r)
		if len(out) > max {
			break
		}
	}
	if len(out) > max {
		out = append(out[:max-1], '…')
	}
	return string(out)
}

// echoItems is items as a mail may repeat them: each through echoText, at most maxEchoList of
// them, and, when there were more, a last item saying how many were left out.
func echoItems(items []string) []string { return echoCut(items, maxEcho) }

// maxEchoLine is the most characters of one line of ours that carries a sender's text (a value
// read from a form inside our sentence): longer than maxEcho, since our own words count too.
const maxEchoLine = 2 * maxEcho

// echoLines is lines of ours that may carry a sender's text: each on one line, cut to
// maxEchoLine, at most maxEchoList of them and a last one counting the rest.
func echoLines(lines []string) []string { return echoCut(lines, maxEchoLine) }

// echoCut is each item through echoText cut to max characters, at most maxEchoList items and
// a last one counting the rest.
func echoCut(items []string, max int) []string {
	out := make([]string, 0, min(len(items), maxEchoList+1))
	for i, it := range items {
		if i == maxEchoList {
			out = append(out, fmt.Sprintf("e altri %d", len(items)-maxEchoList))
			break
		}
		out = append(out, echoText(it, max))
	}
	return out
}

// echoList is echoItems on one line.
func echoList(items []string) string { return strings.Join(echoItems(items), ", ") }

// junkNameRE finds what has no place in a person's name: a URL or a bare web address.
var junkNameRE = regexp.MustCompile(`(?i)://|\bwww\.|\b[a-z0-9-]{2,}\.(com|net|org|info|biz|it|eu|io|co|ru|cn|xyz|top|online|site|click|link|ly|me|app|shop)\b`)

// displayName is the sender's display name as a greeting may use it, or "" when it is not a
// name: it holds a URL, an address ('@'), control or format characters, or nothing.
func displayName(name string) string {
	for _, r := range name {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == utf8.RuneError {
			return ""
		}
	}
	if strings.Contains(name, "@") || junkNameRE.MatchString(name) {
		return ""
	}
	return echoText(name, maxEcho)
}
