package parsers

import (
	"net/mail"
	"net/netip"
	"strconv"
	"strings"
	"unicode"

	"mailbot/templates/say"
)

// IdentifierError says why a value is not a valid identifier. Subject names the thing in Italian
// ("Il codice fiscale dell'ente"), Reason is a clause a referent understands ("la cifra di
// controllo non corrisponde"); Error() joins them into one Italian sentence. The words are in
// templates/say/sentences.txt.
type IdentifierError struct {
	Subject string // "Il codice fiscale dell'ente"
	Female  bool   // grammatical gender of Subject: "valida" instead of "valido"
	Value   string // as written by the referent
	Reason  string // without the final full stop
}

func (e *IdentifierError) Error() string {
	if e.Female {
		return say.Text("ident.invalid_f", e.Subject, e.Value, e.Reason)
	}
	return say.Text("ident.invalid", e.Subject, e.Value, e.Reason)
}

// identSubject is the key of each kind of identifier's name in a sentence, and its gender.
var identSubject = map[string]struct {
	key    string
	female bool
}{
	KindCFEnte:   {"ident.subject.cf_ente", false},
	KindPIVA:     {"ident.subject.piva", true},
	KindCFPerson: {"ident.subject.cf_person", false},
	KindIPA:      {"ident.subject.ipa", false},
	KindIBAN:     {"ident.subject.iban", false},
	KindEmail:    {"ident.subject.email", false},
	KindPEC:      {"ident.subject.pec", false},
	KindIPs:      {"ident.subject.ip", false},
	KindURL:      {"ident.subject.url", false},
	KindDate:     {"ident.subject.date", true},
	KindYesNo:    {"ident.subject.yesno", true},
	KindServices: {"ident.subject.services", true},
}

// identErr says why value is not a valid identifier of kind: key names the reason in
// templates/say/sentences.txt, args fill its verbs.
func identErr(kind, value, key string, args ...any) *IdentifierError {
	return identErrReason(kind, value, say.Text(key, args...))
}

// identErrReason is identErr with the reason already worded.
func identErrReason(kind, value, reason string) *IdentifierError {
	s := identSubject[kind]
	if s.key == "" {
		s.key = "ident.subject.other"
	}
	return &IdentifierError{Subject: say.Text(s.key), Female: s.female, Value: value, Reason: reason}
}

// identCompact removes the spaces, dots and dashes people put inside codes to make them readable.
func identCompact(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '.' || r == '-' || r == '\u00a0' {
			return -1
		}
		return r
	}, s)
}

// identLuhn11 computes the check digit of an 11-digit codice fiscale / partita IVA over its
// first 10 digits (Luhn-style: odd positions added, even positions doubled minus 9).
func identLuhn11(d string) byte {
	sum := 0
	for i := 0; i < 10; i++ {
		n := int(d[i] - '0')
		if i%2 == 1 {
			n *= 2
			if n > 9 {
				n -= 9
			}
		}
		sum += n
	}
	return byte((10-sum%10)%10) + '0'
}

// checkElevenDigits validates an 11-digit code and returns it without separators.
func checkElevenDigits(kind, s string) (string, error) {
	raw := strings.TrimSpace(s)
	v := identCompact(raw)
	if kind == KindPIVA && len(v) == 13 && strings.EqualFold(v[:2], "IT") {
		v = v[2:] // "IT00339370272": the VAT prefix is common and harmless
	}
	if v == "" {
		return "", identErr(kind, raw, "ident.empty")
	}
	if kind == KindCFEnte && len(v) == 16 && !identAllDigits(v) {
		return "", identErr(kind, raw, "ident.cf_ente_personal")
	}
	if !identAllDigits(v) {
		return "", identErr(kind, raw, "ident.not_digits")
	}
	if len(v) != 11 {
		return "", identErr(kind, raw, "ident.eleven_digits", len(v))
	}
	if v == "00000000000" {
		return "", identErr(kind, raw, "ident.all_zeros")
	}
	if identLuhn11(v) != v[10] {
		return "", identErr(kind, raw, "ident.check_digit")
	}
	return v, nil
}

func identAllDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// CheckCFEnte validates the 11-digit codice fiscale of a public body and returns it normalised.
func CheckCFEnte(s string) (string, error) { return checkElevenDigits(KindCFEnte, s) }

// CheckPIVA validates a partita IVA (an optional "IT" prefix is accepted and dropped).
func CheckPIVA(s string) (string, error) { return checkElevenDigits(KindPIVA, s) }

// Tables of the personal codice fiscale check character (DM 23/12/1976): values of characters in
// odd (1st, 3rd, ...) positions; even positions use 0-9 / A=0..Z=25.
var cfOddValues = [36]int{
	1, 0, 5, 7, 9, 13, 15, 17, 19, 21, // 0-9
	1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23, // A-Z
}

// cfOmocodia are the letters that replace digits when two people would share a code.
const cfOmocodia = "LMNPQRSTUV"

// cfMonths are the letters of the month of birth (position 9).
const cfMonths = "ABCDEHLMPRST"

func cfIndex(c byte) int {
	if c >= '0' && c <= '9' {
		return int(c - '0')
	}
	return int(c-'A') + 10
}

// cfCheckChar computes the check letter of the first 15 characters (uppercase) of a CF.
func cfCheckChar(s string) byte {
	sum := 0
	for i := 0; i < 15; i++ {
		k := cfIndex(s[i])
		if i%2 == 0 {
			sum += cfOddValues[k]
		} else {
			if k >= 10 {
				k -= 10 // even positions: digits 0-9 and letters A=0..Z=25
			}
			sum += k
		}
	}
	return byte(sum%26) + 'A'
}

// CheckCFPerson validates a personal codice fiscale (16 characters, omocodia allowed, any case)
// and returns it uppercased. A provisional 11-digit code is accepted too.
func CheckCFPerson(s string) (string, error) {
	raw := strings.TrimSpace(s)
	v := strings.ToUpper(identCompact(raw))
	if v == "" {
		return "", identErr(KindCFPerson, raw, "ident.empty")
	}
	if len(v) == 11 && identAllDigits(v) {
		if identLuhn11(v) != v[10] {
			return "", identErr(KindCFPerson, raw, "ident.check_digit")
		}
		return v, nil
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return "", identErr(KindCFPerson, raw, "ident.not_alnum")
		}
	}
	if len(v) != 16 {
		return "", identErr(KindCFPerson, raw, "ident.cf_person_length", len(v))
	}
	for i := 0; i < 16; i++ {
		c := v[i]
		isLetter := c >= 'A' && c <= 'Z'
		switch i {
		case 6, 7, 9, 10, 12, 13, 14:
			if isLetter && !strings.ContainsRune(cfOmocodia, rune(c)) {
				return "", identErr(KindCFPerson, raw, "ident.cf_person_digit", i+1)
			}
		default:
			if !isLetter {
				return "", identErr(KindCFPerson, raw, "ident.cf_person_letter", i+1)
			}
		}
	}
	if !strings.ContainsRune(cfMonths, rune(v[8])) {
		return "", identErr(KindCFPerson, raw, "ident.cf_person_month", v[8])
	}
	if cfCheckChar(v) != v[15] {
		return "", identErr(KindCFPerson, raw, "ident.check_letter")
	}
	return v, nil
}

// CheckIPA validates a codice IPA. It is kept as written: compare codes with strings.EqualFold.
func CheckIPA(s string) (string, error) {
	v := strings.TrimSpace(s)
	if v == "" {
		return "", identErr(KindIPA, v, "ident.empty")
	}
	for _, r := range v {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_') {
			if unicode.IsSpace(r) {
				return "", identErr(KindIPA, v, "ident.ipa_spaces")
			}
			return "", identErr(KindIPA, v, "ident.ipa_chars")
		}
	}
	if n := len(v); n < 2 || n > 35 {
		return "", identErr(KindIPA, v, "ident.ipa_length", n)
	}
	return v, nil
}

// ibanLengths are the IBAN lengths of the countries an ente's bank is likely in; others are
// checked only for the 15-34 range of ISO 13616.
var ibanLengths = map[string]int{
	"IT": 27, "SM": 27, "VA": 22, "DE": 22, "FR": 27, "AT": 20, "CH": 21, "ES": 24, "SI": 19,
	"GB": 22, "BE": 16, "NL": 18, "LU": 20, "PT": 25, "IE": 22, "HR": 21, "MT": 31,
}

// CheckIBAN validates an IBAN (ISO 13616 mod 97) and returns it uppercased without spaces.
func CheckIBAN(s string) (string, error) {
	raw := strings.TrimSpace(s)
	v := strings.ToUpper(identCompact(raw))
	if rest, ok := strings.CutPrefix(v, "IBAN"); ok {
		v = strings.TrimLeft(rest, ":") // "IBAN: IT60..." copied with its label
	}
	if v == "" {
		return "", identErr(KindIBAN, raw, "ident.empty")
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return "", identErr(KindIBAN, raw, "ident.not_alnum")
		}
	}
	if len(v) < 4 || !(v[0] >= 'A' && v[0] <= 'Z' && v[1] >= 'A' && v[1] <= 'Z') {
		return "", identErr(KindIBAN, raw, "ident.iban_country")
	}
	if !(v[2] >= '0' && v[2] <= '9' && v[3] >= '0' && v[3] <= '9') {
		return "", identErr(KindIBAN, raw, "ident.iban_check_digits")
	}
	if want, ok := ibanLengths[v[:2]]; ok && len(v) != want {
		if v[:2] == "IT" {
			return "", identErr(KindIBAN, raw, "ident.iban_length_it", len(v))
		}
		return "", identErr(KindIBAN, raw, "ident.iban_length_country", v[:2], want, len(v))
	}
	if len(v) < 15 || len(v) > 34 {
		return "", identErr(KindIBAN, raw, "ident.iban_length", len(v))
	}
	// Move the first four characters to the end, letters become 10..35, then mod 97 must be 1.
	rem := 0
	for _, c := range v[4:] + v[:4] {
		if c >= 'A' {
			rem = (rem*100 + int(c-'A') + 10) % 97
		} else {
			rem = (rem*10 + int(c-'0')) % 97
		}
	}
	if rem != 1 {
		return "", identErr(KindIBAN, raw, "ident.iban_check")
	}
	return v, nil
}

// CheckEmail validates an email address and returns the bare address ("Nome <a@b.it>" and
// "mailto:" are accepted and reduced to the address).
func CheckEmail(s string) (string, error) { return checkMailbox(KindEmail, s) }

// CheckPEC validates a PEC address. A PEC is an email address on a certified provider: its
// syntax is all that can be checked here.
func CheckPEC(s string) (string, error) { return checkMailbox(KindPEC, s) }

func checkMailbox(kind, s string) (string, error) {
	raw := strings.TrimSpace(s)
	v := raw
	if len(v) > 7 && strings.EqualFold(v[:7], "mailto:") {
		v = v[7:]
	}
	if v == "" {
		return "", identErr(kind, raw, "ident.empty")
	}
	if !strings.Contains(v, "@") {
		return "", identErr(kind, raw, "ident.email_no_at")
	}
	if strings.Count(v, "@") > 1 && !strings.Contains(v, "<") {
		return "", identErr(kind, raw, "ident.email_two_at")
	}
	a, err := mail.ParseAddress(v)
	if err != nil {
		if strings.ContainsAny(strings.TrimSpace(v), " \t") && !strings.Contains(v, "<") {
			return "", identErr(kind, raw, "ident.email_spaces")
		}
		return "", identErr(kind, raw, "ident.email_syntax")
	}
	at := strings.LastIndexByte(a.Address, '@')
	local, domain := a.Address[:at], a.Address[at+1:]
	if local == "" {
		return "", identErr(kind, raw, "ident.email_no_local")
	}
	if !identValidDomain(domain) {
		return "", identErr(kind, raw, "ident.email_domain", domain)
	}
	return a.Address, nil
}

// identValidDomain accepts an internet host name with at least two labels and a letter TLD.
func identValidDomain(d string) bool {
	d = strings.TrimSuffix(d, ".")
	labels := strings.Split(d, ".")
	if len(labels) < 2 || len(d) > 253 {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for _, r := range l {
			if !(r == '-' || unicode.IsLetter(r) || unicode.IsDigit(r)) {
				return false
			}
		}
	}
	tld := labels[len(labels)-1]
	for _, r := range tld {
		if !unicode.IsLetter(r) {
			return false
		}
	}
	return true
}

// ipRefused are ranges that cannot be the address of a web-service caller on the Internet.
// Documentation ranges (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32) are
// deliberately absent: fixtures and examples use them.
var ipRefused = []struct {
	prefix netip.Prefix
	reason string // a key of templates/say/sentences.txt
}{
	{netip.MustParsePrefix("0.0.0.0/8"), "ip.unspecified"},
	{netip.MustParsePrefix("10.0.0.0/8"), "ip.private"},
	{netip.MustParsePrefix("100.64.0.0/10"), "ip.cgnat"},
	{netip.MustParsePrefix("127.0.0.0/8"), "ip.loopback"},
	{netip.MustParsePrefix("169.254.0.0/16"), "ip.link_local"},
	{netip.MustParsePrefix("172.16.0.0/12"), "ip.private"},
	{netip.MustParsePrefix("192.168.0.0/16"), "ip.private"},
	{netip.MustParsePrefix("224.0.0.0/4"), "ip.multicast"},
	{netip.MustParsePrefix("240.0.0.0/4"), "ip.reserved"},
	{netip.MustParsePrefix("::/128"), "ip.unspecified"},
	{netip.MustParsePrefix("::1/128"), "ip.loopback"},
	{netip.MustParsePrefix("fc00::/7"), "ip.private"},
	{netip.MustParsePrefix("fe80::/10"), "ip.link_local"},
	{netip.MustParsePrefix("ff00::/8"), "ip.multicast"},
}

// NormalizeIP checks that s is a public caller address or CIDR and returns its canonical form ("1.2.3.0/24", "2001:db8::1").
func NormalizeIP(s string) (string, error) {
	raw := strings.TrimSpace(s)
	v := strings.Trim(raw, "[]")
	if v == "" {
		return "", identErr(KindIPs, raw, "ident.empty")
	}
	var p netip.Prefix
	if strings.Contains(v, "/") {
		var err error
		p, err = netip.ParsePrefix(v)
		if err != nil {
			return "", identErr(KindIPs, raw, "ip.syntax")
		}
		p = p.Masked()
		if a := p.Addr(); a.Is4In6() {
			bits := p.Bits() - 96
			if bits < 0 {
				bits = 0
			}
			p = netip.PrefixFrom(a.Unmap(), bits)
		}
	} else {
		a, err := netip.ParseAddr(v)
		if err != nil {
			if n, _ := strconv.Atoi(v); n > 0 || strings.Count(v, ".") == 3 {
				return "", identErr(KindIPs, raw, "ip.octet")
			}
			return "", identErr(KindIPs, raw, "ip.syntax")
		}
		if a.Zone() != "" {
			return "", identErr(KindIPs, raw, "ip.zone", a.Zone())
		}
		a = a.Unmap()
		p = netip.PrefixFrom(a, a.BitLen())
	}
	for _, r := range ipRefused {
		if r.prefix.Overlaps(p) {
			return "", identErrReason(KindIPs, raw, say.Text(r.reason))
		}
	}
	if p.Addr() == netip.MustParseAddr("255.255.255.255") {
		return "", identErr(KindIPs, raw, "ip.broadcast")
	}
	// A wider network cannot be a set of callers and would open the service to half the world.
	if p.Addr().Is4() && p.Bits() < 16 || p.Addr().Is6() && p.Bits() < 32 {
		return "", identErr(KindIPs, raw, "ip.too_wide", p.Bits())
	}
	if p.IsSingleIP() {
		return p.Addr().String(), nil
	}
	return p.String(), nil
}
