package parsers

import (
	"fmt"
	"net/mail"
	"net/netip"
	"strconv"
	"strings"
	"unicode"
)

// IdentifierError says why a value is not a valid identifier. Subject names the thing in Italian
// ("Il codice fiscale dell'ente"), Reason is a clause a referent understands ("la cifra di
// controllo non corrisponde"); Error() joins them into one Italian sentence.
type IdentifierError struct {
	Subject string // "Il codice fiscale dell'ente"
	Female  bool   // grammatical gender of Subject: "valida" instead of "valido"
	Value   string // as written by the referent
	Reason  string // without the final full stop
}

func (e *IdentifierError) Error() string {
	adj := "valido"
	if e.Female {
		adj = "valida"
	}
	return fmt.Sprintf("%s %q non è %s: %s.", e.Subject, e.Value, adj, e.Reason)
}

// identSubject is how each kind of identifier is named in a sentence, and its gender.
var identSubject = map[string]struct {
	subject string
	female  bool
}{
	KindCFEnte:   {"Il codice fiscale dell'ente", false},
	KindPIVA:     {"La partita IVA", true},
	KindCFPerson: {"Il codice fiscale", false},
	KindIPA:      {"Il codice IPA", false},
	KindIBAN:     {"L'IBAN", false},
	KindEmail:    {"L'indirizzo email", false},
	KindPEC:      {"L'indirizzo PEC", false},
	KindIPs:      {"L'indirizzo IP", false},
	KindURL:      {"L'indirizzo", false},
	KindDate:     {"La data", true},
	KindYesNo:    {"La risposta", true},
	KindServices: {"L'indicazione dei servizi", true},
}

func identErr(kind, value, reason string, args ...any) *IdentifierError {
	s := identSubject[kind]
	if s.subject == "" {
		s.subject = "Il valore"
	}
	if len(args) > 0 {
		reason = fmt.Sprintf(reason, args...)
	}
	return &IdentifierError{Subject: s.subject, Female: s.female, Value: value, Reason: reason}
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
		return "", identErr(kind, raw, "è vuoto")
	}
	if kind == KindCFEnte && len(v) == 16 && !identAllDigits(v) {
		return "", identErr(kind, raw, "sembra un codice fiscale personale: per un ente servono 11 cifre")
	}
	if !identAllDigits(v) {
		return "", identErr(kind, raw, "contiene caratteri che non sono cifre")
	}
	if len(v) != 11 {
		return "", identErr(kind, raw, "deve avere 11 cifre, ne ha %d", len(v))
	}
	if v == "00000000000" {
		return "", identErr(kind, raw, "non può essere composto da soli zeri")
	}
	if identLuhn11(v) != v[10] {
		return "", identErr(kind, raw, "la cifra di controllo non corrisponde")
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
		return "", identErr(KindCFPerson, raw, "è vuoto")
	}
	if len(v) == 11 && identAllDigits(v) {
		if identLuhn11(v) != v[10] {
			return "", identErr(KindCFPerson, raw, "la cifra di controllo non corrisponde")
		}
		return v, nil
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return "", identErr(KindCFPerson, raw, "contiene caratteri non ammessi (solo lettere e cifre)")
		}
	}
	if len(v) != 16 {
		return "", identErr(KindCFPerson, raw, "deve avere 16 caratteri, ne ha %d", len(v))
	}
	for i := 0; i < 16; i++ {
		c := v[i]
		isLetter := c >= 'A' && c <= 'Z'
		switch i {
		case 6, 7, 9, 10, 12, 13, 14:
			if isLetter && !strings.ContainsRune(cfOmocodia, rune(c)) {
				return "", identErr(KindCFPerson, raw, "il carattere in posizione %d dovrebbe essere una cifra", i+1)
			}
		default:
			if !isLetter {
				return "", identErr(KindCFPerson, raw, "il carattere in posizione %d dovrebbe essere una lettera", i+1)
			}
		}
	}
	if !strings.ContainsRune(cfMonths, rune(v[8])) {
		return "", identErr(KindCFPerson, raw, "la lettera del mese di nascita (%c) non esiste", v[8])
	}
	if cfCheckChar(v) != v[15] {
		return "", identErr(KindCFPerson, raw, "la lettera di controllo non corrisponde")
	}
	return v, nil
}

// CheckIPA validates a codice IPA. It is kept as written: compare codes with strings.EqualFold.
func CheckIPA(s string) (string, error) {
	v := strings.TrimSpace(s)
	if v == "" {
		return "", identErr(KindIPA, v, "è vuoto")
	}
	for _, r := range v {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_') {
			if unicode.IsSpace(r) {
				return "", identErr(KindIPA, v, "contiene spazi (sono ammessi solo lettere, cifre e _)")
			}
			return "", identErr(KindIPA, v, "contiene caratteri non ammessi (sono ammessi solo lettere, cifre e _)")
		}
	}
	if n := len(v); n < 2 || n > 35 {
		return "", identErr(KindIPA, v, "deve avere da 2 a 35 caratteri, ne ha %d", n)
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
		return "", identErr(KindIBAN, raw, "è vuoto")
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return "", identErr(KindIBAN, raw, "contiene caratteri non ammessi (solo lettere e cifre)")
		}
	}
	if len(v) < 4 || !(v[0] >= 'A' && v[0] <= 'Z' && v[1] >= 'A' && v[1] <= 'Z') {
		return "", identErr(KindIBAN, raw, "deve iniziare con la sigla del paese (per esempio IT)")
	}
	if !(v[2] >= '0' && v[2] <= '9' && v[3] >= '0' && v[3] <= '9') {
		return "", identErr(KindIBAN, raw, "dopo la sigla del paese servono due cifre di controllo")
	}
	if want, ok := ibanLengths[v[:2]]; ok && len(v) != want {
		if v[:2] == "IT" {
			return "", identErr(KindIBAN, raw, "un IBAN italiano deve avere 27 caratteri, ne ha %d", len(v))
		}
		return "", identErr(KindIBAN, raw, "un IBAN %s deve avere %d caratteri, ne ha %d", v[:2], want, len(v))
	}
	if len(v) < 15 || len(v) > 34 {
		return "", identErr(KindIBAN, raw, "ha %d caratteri: un IBAN ne ha da 15 a 34", len(v))
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
		return "", identErr(KindIBAN, raw, "le cifre di controllo non corrispondono")
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
		return "", identErr(kind, raw, "è vuoto")
	}
	if !strings.Contains(v, "@") {
		return "", identErr(kind, raw, "manca il simbolo @")
	}
	if strings.Count(v, "@") > 1 && !strings.Contains(v, "<") {
		return "", identErr(kind, raw, "contiene più di un simbolo @ (scrivere un indirizzo solo)")
	}
	a, err := mail.ParseAddress(v)
	if err != nil {
		if strings.ContainsAny(strings.TrimSpace(v), " \t") && !strings.Contains(v, "<") {
			return "", identErr(kind, raw, "contiene spazi")
		}
		return "", identErr(kind, raw, "non è scritto come un indirizzo email (nome@dominio.it)")
	}
	at := strings.LastIndexByte(a.Address, '@')
	local, domain := a.Address[:at], a.Address[at+1:]
	if local == "" {
		return "", identErr(kind, raw, "manca la parte prima della @")
	}
	if !identValidDomain(domain) {
		return "", identErr(kind, raw, "il dominio %q non è valido", domain)
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
	reason string
}{
	{netip.MustParsePrefix("0.0.0.0/8"), "è un indirizzo non specificato, non raggiungibile da Internet"},
	{netip.MustParsePrefix("10.0.0.0/8"), "è un indirizzo privato, non raggiungibile da Internet"},
	{netip.MustParsePrefix("100.64.0.0/10"), "è un indirizzo condiviso dagli operatori (CGNAT), non identifica il chiamante"},
	{netip.MustParsePrefix("127.0.0.0/8"), "è un indirizzo di loopback (il computer stesso), non raggiungibile da Internet"},
	{netip.MustParsePrefix("169.254.0.0/16"), "è un indirizzo link-local, non raggiungibile da Internet"},
	{netip.MustParsePrefix("172.16.0.0/12"), "è un indirizzo privato, non raggiungibile da Internet"},
	{netip.MustParsePrefix("192.168.0.0/16"), "è un indirizzo privato, non raggiungibile da Internet"},
	{netip.MustParsePrefix("224.0.0.0/4"), "è un indirizzo multicast, non identifica un singolo chiamante"},
	{netip.MustParsePrefix("240.0.0.0/4"), "è un indirizzo riservato, non raggiungibile da Internet"},
	{netip.MustParsePrefix("::/128"), "è un indirizzo non specificato, non raggiungibile da Internet"},
	{netip.MustParsePrefix("::1/128"), "è un indirizzo di loopback (il computer stesso), non raggiungibile da Internet"},
	{netip.MustParsePrefix("fc00::/7"), "è un indirizzo privato, non raggiungibile da Internet"},
	{netip.MustParsePrefix("fe80::/10"), "è un indirizzo link-local, non raggiungibile da Internet"},
	{netip.MustParsePrefix("ff00::/8"), "è un indirizzo multicast, non identifica un singolo chiamante"},
}

// NormalizeIP checks that s is a public caller address or CIDR and returns its canonical form ("1.2.3.0/24", "2001:db8::1").
func NormalizeIP(s string) (string, error) {
	raw := strings.TrimSpace(s)
	v := strings.Trim(raw, "[]")
	if v == "" {
		return "", identErr(KindIPs, raw, "è vuoto")
	}
	var p netip.Prefix
	if strings.Contains(v, "/") {
		var err error
		p, err = netip.ParsePrefix(v)
		if err != nil {
			return "", identErr(KindIPs, raw, "non è scritto come un indirizzo o una rete CIDR (per esempio 203.0.113.10 o 203.0.113.0/28)")
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
				return "", identErr(KindIPs, raw, "non è un indirizzo IP corretto (ogni numero va da 0 a 255)")
			}
			return "", identErr(KindIPs, raw, "non è scritto come un indirizzo o una rete CIDR (per esempio 203.0.113.10 o 203.0.113.0/28)")
		}
		if a.Zone() != "" {
			return "", identErr(KindIPs, raw, "contiene un identificativo di interfaccia (%%%s), che vale solo nella rete locale", a.Zone())
		}
		a = a.Unmap()
		p = netip.PrefixFrom(a, a.BitLen())
	}
	for _, r := range ipRefused {
		if r.prefix.Overlaps(p) {
			return "", identErr(KindIPs, raw, "%s", r.reason)
		}
	}
	if p.Addr() == netip.MustParseAddr("255.255.255.255") {
		return "", identErr(KindIPs, raw, "è l'indirizzo di broadcast, non raggiungibile da Internet")
	}
	// A wider network cannot be a set of callers and would open the service to half the world.
	if p.Addr().Is4() && p.Bits() < 16 || p.Addr().Is6() && p.Bits() < 32 {
		return "", identErr(KindIPs, raw, "indica una rete troppo ampia (/%d): indicare gli indirizzi dei server che chiamano", p.Bits())
	}
	if p.IsSingleIP() {
		return p.Addr().String(), nil
	}
	return p.String(), nil
}
