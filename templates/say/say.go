// Package say holds the short Italian texts people read that are not whole mails: the problems
// told to a referent (an invalid codice fiscale, an unreadable attachment), refusals and help
// lines for staff, notices and console messages. They live in sentences.txt, one per key; code
// names a text by its key and passes the values its verbs (fmt's %s, %d, %q) take.
//
// It sits under every package of the module (parsers, ticketing and mailbot all speak), and
// imports nothing of it.
package say

import (
	_ "embed"
	"fmt"
	"strings"
)

//go:embed sentences.txt
var file string

// sentences maps a key to its format, read once from sentences.txt.
var sentences = parse(file)

// parse reads "key = text" lines; blank lines and lines starting with # are skipped. In a text
// \n stands for a new line. A malformed file is caught by the package's tests, not at run time:
// a bad line is skipped.
func parse(s string) map[string]string {
	m := map[string]string{}
	for line := range strings.Lines(s) {
		line = strings.TrimRight(line, "\r\n")
		if line == "" || line[0] == '#' {
			continue
		}
		k, v, ok := strings.Cut(line, " = ")
		if !ok {
			continue
		}
		m[strings.TrimSpace(k)] = strings.ReplaceAll(v, `\n`, "\n")
	}
	return m
}

// Text is the text of key with args in place of its verbs. A key that sentences.txt does not
// hold gives the key itself and its arguments, visibly wrong rather than silent; the house's
// tests fail on such a key before it ships.
func Text(key string, args ...any) string {
	f, ok := sentences[key]
	if !ok {
		return strings.TrimSpace(key + " " + fmt.Sprint(args...))
	}
	if len(args) == 0 && !strings.Contains(f, "%") {
		return f
	}
	return fmt.Sprintf(f, args...)
}

// Format returns the text of key as written, verbs and all, and whether there is one.
func Format(key string) (string, bool) {
	f, ok := sentences[key]
	return f, ok
}

// Keys returns every key of sentences.txt.
func Keys() []string {
	keys := make([]string, 0, len(sentences))
	for k := range sentences {
		keys = append(keys, k)
	}
	return keys
}
