package mailbot

import (
	"unicode"
	"unicode/utf8"
)

// What mailbot repeats of a sender's message (subject, display name, attachment names) goes out
// from the Region's address to whoever the sender names: bounded, so that mailbot cannot be
// used to relay someone's text at length.

// maxEcho is the most characters of a sender's text repeated in any mail.
const maxEcho = 200

// echoText is s on one line, without control or format characters (bidi overrides included),
// spaces collapsed, cut to at most max characters with an ellipsis marking the cut.
func echoText(s string, max int) string {
	out := make([]rune, 0, min(len(s), max+1))
	space := false
	for _, r := range s {
		if r == utf8.RuneError || unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || unicode.IsSpace(r) {
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
