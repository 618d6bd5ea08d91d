// Package corpus makes the reading corpus of testdata/forms/corpus: filled forms as other programs
// write them (LibreOffice, Word, Outlook, Gmail, plain mail), each with the values a correct
// reader finds in it (manifest.json). See regen.sh.
package corpus

import (
	"fmt"
	"strings"
)

// Identifiers with correct check digits, computed here so that a document's expected values are
// valid by construction (main checks them again with the parsers' own functions).

// cfEnte completes the first 10 digits of a codice fiscale of an ente (or partita IVA) with its
// check digit (Luhn-style over 10 digits).
func cfEnte(first10 string) string {
	sum := 0
	for i := 0; i < 10; i++ {
		d := int(first10[i] - '0')
		if i%2 == 1 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return first10 + string(rune('0'+(10-sum%10)%10))
}

// breakLast returns code with its last character changed: a wrong check digit or letter.
func breakLast(code string) string {
	last := code[len(code)-1]
	switch {
	case last >= '0' && last <= '8', last >= 'A' && last <= 'Y':
		last++
	case last == '9':
		last = '0'
	default:
		last = 'A'
	}
	return code[:len(code)-1] + string(last)
}

var cfOdd = [36]int{1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23}

func cfIdx(c byte) int {
	if c >= '0' && c <= '9' {
		return int(c - '0')
	}
	return int(c-'A') + 10
}

// cfName is the three letters of a surname (first=false) or a first name (first=true).
func cfName(s string, first bool) string {
	var cons, vows []byte
	for _, c := range []byte(strings.ToUpper(stripAccents(s))) {
		switch {
		case strings.IndexByte("AEIOU", c) >= 0:
			vows = append(vows, c)
		case c >= 'A' && c <= 'Z':
			cons = append(cons, c)
		}
	}
	if first && len(cons) >= 4 {
		cons = []byte{cons[0], cons[2], cons[3]}
	}
	out := append(append(cons, vows...), 'X', 'X', 'X')
	return string(out[:3])
}

func stripAccents(s string) string {
	return strings.NewReplacer("à", "a", "è", "e", "é", "e", "ì", "i", "ò", "o", "ù", "u", "'", "", " ", "").Replace(s)
}

// cfPerson builds a personal codice fiscale: surname, name, birth date, sex and the cadastral
// code of the place of birth, with its check letter.
func cfPerson(cognome, nome string, year, month, day int, female bool, belfiore string) string {
	if female {
		day += 40
	}
	s := fmt.Sprintf("%s%s%02d%c%02d%s", cfName(cognome, false), cfName(nome, true), year%100, "ABCDEHLMPRST"[month-1], day, belfiore)
	sum := 0
	for i := 0; i < 15; i++ {
		k := cfIdx(s[i])
		if i%2 == 0 {
			sum += cfOdd[k]
		} else {
			if k >= 10 {
				k -= 10
			}
			sum += k
		}
	}
	return s + string(rune('A'+sum%26))
}

// ibanIT builds an Italian IBAN from ABI, CAB and account number, with a correct CIN and
// check digits.
func ibanIT(abi, cab, conto string) string {
	conto = fmt.Sprintf("%012s", conto)
	bban := abi + cab + conto
	odd := [...]int{1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23}
	sum := 0
	for i, c := range []byte(bban) {
		var k int
		if c >= '0' && c <= '9' {
			k = int(c - '0')
		} else {
			k = int(c - 'A')
		}
		if i%2 == 0 {
			sum += odd[k]
		} else {
			sum += k
		}
	}
	cin := string(rune('A' + sum%26))
	body := cin + bban
	rem := 0
	for _, c := range body + "IT00" {
		if c >= 'A' {
			rem = (rem*100 + int(c-'A') + 10) % 97
		} else {
			rem = (rem*10 + int(c-'0')) % 97
		}
	}
	return fmt.Sprintf("IT%02d%s", 98-rem, body)
}

// spacedIBAN writes an IBAN in groups of four, as banks print it.
func spacedIBAN(iban string) string {
	var b strings.Builder
	for i := 0; i < len(iban); i += 4 {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(iban[i:min(i+4, len(iban))])
	}
	return b.String()
}
