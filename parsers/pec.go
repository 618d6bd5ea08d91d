package parsers

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"strings"

	"github.com/emersion/go-message/charset"

	"mailbot/mailaddr"
)

// PEC is the certification data of a PEC message or receipt, read from its daticert.xml.
type PEC struct {
	Tipo     string `json:"tipo"`     // posta-certificata, accettazione, avvenuta-consegna, errore-consegna, …
	Mittente string `json:"mittente"` // certified sender address
	Msgid    string `json:"msgid"`    // Message-ID of the original message, without brackets
	Gestore  string `json:"gestore"`  // provider that issued the envelope or receipt
	Data     string `json:"data"`     // "26/11/2026 10:15:00 +0100", as the provider wrote it
	// Destinatari are the recipients the provider certifies the message was sent to.
	Destinatari []string `json:"destinatari,omitempty"`
	// OnBehalfOf is the sender the envelope's From names ("Per conto di: x" <provider>).
	OnBehalfOf string `json:"per_conto_di,omitempty"`
	// Verified is set by whoever checked the provider's signature (VerifyPECEnvelope): until
	// then nothing of the envelope is more than a claim.
	Verified bool `json:"verified"`
}

// Header values of a PEC envelope (DPCM/regole tecniche PEC, X-Trasporto / X-Ricevuta).
const (
	pecTrasportoCertificata = "posta-certificata"
	pecTrasportoErrore      = "errore"
	pecDaticertName         = "daticert.xml"
	pecPostacertName        = "postacert.eml"
)

// maxDaticertBytes bounds the certification data: real ones are about 1 KB.
const maxDaticertBytes = 1 << 20

// maxDestinatari bounds the recipients kept: only whether mailbot's own address is among them
// matters.
const maxDestinatari = 100

// daticert mirrors the parts of daticert.xml mailbot uses.
type daticert struct {
	XMLName      xml.Name `xml:"postacert"`
	Tipo         string   `xml:"tipo,attr"`
	Errore       string   `xml:"errore,attr"`
	Intestazione struct {
		Mittente    string   `xml:"mittente"`
		Destinatari []string `xml:"destinatari"`
	} `xml:"intestazione"`
	Dati struct {
		Gestore string `xml:"gestore-emittente"`
		Data    struct {
			Zona   string `xml:"zona,attr"`
			Giorno string `xml:"giorno"`
			Ora    string `xml:"ora"`
		} `xml:"data"`
		Msgid string `xml:"msgid"`
	} `xml:"dati"`
}

// parseDaticert reads the certification data of a PEC envelope or receipt.
func parseDaticert(data []byte) (*PEC, error) {
	if len(data) > maxDaticertBytes {
		return nil, fmt.Errorf("daticert.xml: %d bytes: %w", len(data), ErrLimit)
	}
	var d daticert
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.CharsetReader = charset.Reader // providers write ISO-8859-1 as often as UTF-8
	dec.Strict = false                 // a stray "&" in an oggetto must not lose the rest
	if err := dec.Decode(&d); err != nil {
		return nil, fmt.Errorf("daticert.xml: %w", err)
	}
	p := &PEC{
		Tipo:     cleanSpace(d.Tipo),
		Mittente: mailaddr.Norm(cleanSpace(d.Intestazione.Mittente)).String(),
		Msgid:    stripBrackets(d.Dati.Msgid),
		Gestore:  cleanSpace(d.Dati.Gestore),
	}
	for _, r := range d.Intestazione.Destinatari {
		if a := mailaddr.Norm(cleanSpace(r)).String(); a != "" && len(p.Destinatari) < maxDestinatari {
			p.Destinatari = append(p.Destinatari, a)
		}
	}
	day, hour := cleanSpace(d.Dati.Data.Giorno), cleanSpace(d.Dati.Data.Ora)
	p.Data = strings.TrimSpace(day + " " + hour)
	if z := cleanSpace(d.Dati.Data.Zona); z != "" && p.Data != "" {
		p.Data += " " + z
	}
	if p.Tipo == "" && p.Mittente == "" && p.Msgid == "" && p.Gestore == "" && p.Data == "" {
		return nil, errors.New("daticert.xml: no certification data")
	}
	return p, nil
}

func cleanSpace(s string) string { return strings.Join(strings.Fields(s), " ") }

// stripBrackets turns "<id@host>" into "id@host".
func stripBrackets(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '<'); i >= 0 {
		if j := strings.IndexByte(s[i:], '>'); j > 0 {
			return strings.TrimSpace(s[i+1 : i+j])
		}
	}
	return strings.Trim(s, "<> \t")
}
