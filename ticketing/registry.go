package ticketing

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"

	unorm "golang.org/x/text/unicode/norm"

	"mailbot/templates/say"
)

// The public registry of enti is IndicePA's open data set "Enti"
// (https://indicepa.gov.it/ipa-dati/dataset/enti): a CSV file with a header row, one public
// body per row. It is read by header name, since the columns have moved between releases.

// RegistryEnte is one public body as the registry lists it.
type RegistryEnte struct {
	CodiceIPA     string `json:"codice_ipa"`
	Denominazione string `json:"denominazione"`
	CodiceFiscale string `json:"codice_fiscale"`
	Tipologia     string `json:"tipologia,omitempty"`
	Categoria     string `json:"categoria,omitempty"`
	Indirizzo     string `json:"indirizzo,omitempty"`
	CAP           string `json:"cap,omitempty"`
	PEC           string `json:"pec,omitempty"` // the first domicilio digitale of type PEC
}

// RegistrySource is the file the registry was last imported from.
type RegistrySource struct {
	File       string    `json:"file"`
	SHA256     string    `json:"sha256"`
	Enti       int       `json:"enti"`
	ImportedAt time.Time `json:"imported_at"`
}

// maxRegistrySize bounds the file read (IndicePA's is about 10 MB).
const maxRegistrySize = 128 << 20

// Columns of the Enti file that mailbot reads; the first three must be there.
var registryColumns = []string{"Codice_IPA", "Denominazione_ente", "Codice_fiscale_ente",
	"Tipologia", "Codice_Categoria", "Indirizzo", "CAP"}

// ParseRegistry reads IndicePA's Enti CSV (comma or semicolon separated, with or without a
// byte-order mark). Rows without a codice IPA are skipped.
func ParseRegistry(data []byte) ([]RegistryEnte, error) {
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	head, _, _ := bytes.Cut(data, []byte("\n"))
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	r.ReuseRecord = true
	if bytes.Count(head, []byte(";")) > bytes.Count(head, []byte(",")) {
		r.Comma = ';'
	}
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("registry header: %w", err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(h))] = i
	}
	idx := make([]int, len(registryColumns))
	for i, name := range registryColumns {
		j, ok := col[strings.ToLower(name)]
		if !ok && i < 3 {
			return nil, fmt.Errorf("registry: no column %s (is this IndicePA's Enti file?)", name)
		}
		if !ok {
			j = -1
		}
		idx[i] = j
	}
	// Domicili digitali: Mail1..Mail5 with their Tipo_MailN ("Pec" or "Altro").
	type mailCol struct{ addr, kind int }
	var mails []mailCol
	for n := 1; n <= 9; n++ {
		a, ok := col[fmt.Sprintf("mail%d", n)]
		k, ok2 := col[fmt.Sprintf("tipo_mail%d", n)]
		if ok && ok2 {
			mails = append(mails, mailCol{a, k})
		}
	}
	var out []RegistryEnte
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("registry: %w", err)
		}
		get := func(i int) string {
			if i < 0 || i >= len(rec) {
				return ""
			}
			return strings.TrimSpace(rec[i])
		}
		e := RegistryEnte{CodiceIPA: get(idx[0]), Denominazione: get(idx[1]), CodiceFiscale: get(idx[2]),
			Tipologia: get(idx[3]), Categoria: get(idx[4]), Indirizzo: get(idx[5]), CAP: get(idx[6])}
		if e.CodiceIPA == "" {
			continue
		}
		for _, m := range mails {
			if strings.EqualFold(get(m.kind), "pec") && get(m.addr) != "" {
				e.PEC = get(m.addr)
				break
			}
		}
		out = append(out, e)
	}
	if len(out) == 0 {
		return nil, errors.New("registry: no ente in the file")
	}
	return out, nil
}

// ImportRegistry replaces the registry with the enti of data (IndicePA's Enti CSV), in one
// transaction: a file that cannot be read leaves the previous registry in place.
func (s *Store) ImportRegistry(ctx context.Context, data []byte, file string, now time.Time) (RegistrySource, error) {
	if len(data) > maxRegistrySize {
		return RegistrySource{}, fmt.Errorf("registry %s: larger than %d MB", file, maxRegistrySize>>20)
	}
	enti, err := ParseRegistry(data)
	if err != nil {
		return RegistrySource{}, fmt.Errorf("%s: %w", file, err)
	}
	src := RegistrySource{File: file, SHA256: RegistryDigest(data), Enti: len(enti), ImportedAt: now}
	err = s.Update(ctx, func(t *Tx) error {
		if _, err := t.exec("registry-clear"); err != nil {
			return err
		}
		for _, e := range enti {
			if _, err := t.exec("registry-insert", e.CodiceIPA, e.Denominazione, normCF(e.CodiceFiscale),
				e.Tipologia, e.Categoria, e.Indirizzo, e.CAP, e.PEC); err != nil {
				return err
			}
		}
		_, err := t.exec("registry-source-set", src.File, src.SHA256, src.Enti, ts(now))
		return err
	})
	return src, err
}

// RegistryDigest is the SHA-256 a registry file is recorded with (RegistrySource.SHA256).
func RegistryDigest(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// RegistrySource returns where the registry was imported from; ok is false when it never was.
func (s *Store) RegistrySource(ctx context.Context) (src RegistrySource, ok bool, err error) {
	err = s.View(ctx, func(t *Tx) error {
		src, ok, err = t.registrySource()
		return err
	})
	return src, ok, err
}

// registrySource reads where the registry was imported from, once a transaction while only
// the statements of recording run (Tx.source): intake asks for every request's case file.
func (t *Tx) registrySource() (RegistrySource, bool, error) {
	if t.source != nil {
		return t.source.src, t.source.ok, nil
	}
	var src RegistrySource
	var at string
	err := t.row("registry-source").Scan(&src.File, &src.SHA256, &src.Enti, &at)
	if errors.Is(err, sql.ErrNoRows) {
		t.source = &registrySource{}
		return src, false, nil
	}
	if err != nil {
		return src, false, fmt.Errorf("registry source: %w", err)
	}
	src.ImportedAt = parseTS(at)
	t.source = &registrySource{src, true}
	return src, true, nil
}

// registrySource is what Tx.registrySource read.
type registrySource struct {
	src RegistrySource
	ok  bool
}

// Registry is what the registry of enti says of the codes a case names. A nil *Registry is no
// registry at all: no evidence either way.
type Registry struct {
	byIPA map[string]RegistryEnte // by lower-case codice IPA
	byCF  map[string]RegistryEnte
}

// Registry looks up in the registry the codici IPA and codici fiscali the forms name (and any
// codes given), for Merge. It returns nil when no registry was imported.
func (t *Tx) Registry(forms []Form, codes ...string) (*Registry, error) {
	if _, ok, err := t.registrySource(); err != nil || !ok {
		return nil, err
	}
	for _, f := range forms {
		for _, p := range registryPrefixes {
			codes = append(codes, f.Field(p+"codice_ipa"), f.Field(p+"codice_fiscale"))
		}
	}
	reg := &Registry{byIPA: map[string]RegistryEnte{}, byCF: map[string]RegistryEnte{}}
	for _, c := range codes {
		if c = strings.TrimSpace(c); c == "" {
			continue
		}
		if _, done := reg.byIPA[strings.ToLower(c)]; !done {
			if e, ok, err := t.registryEnte("registry-by-ipa", c); err != nil {
				return nil, err
			} else if ok {
				reg.byIPA[strings.ToLower(c)] = e
			}
		}
		if _, done := reg.byCF[normCF(c)]; !done {
			if e, ok, err := t.registryEnte("registry-by-cf", normCF(c)); err != nil {
				return nil, err
			} else if ok {
				reg.byCF[normCF(c)] = e
			}
		}
	}
	return reg, nil
}

// Registry is Tx.Registry outside a transaction (reports, the CLI).
func (s *Store) Registry(ctx context.Context, forms []Form, codes ...string) (reg *Registry, err error) {
	err = s.View(ctx, func(t *Tx) error {
		reg, err = t.Registry(forms, codes...)
		return err
	})
	return reg, err
}

func (t *Tx) registryEnte(query, code string) (RegistryEnte, bool, error) {
	var e RegistryEnte
	err := t.row(query, code).Scan(&e.CodiceIPA, &e.Denominazione, &e.CodiceFiscale, &e.Tipologia, &e.Categoria, &e.Indirizzo, &e.CAP, &e.PEC)
	if errors.Is(err, sql.ErrNoRows) {
		return e, false, nil
	}
	if err != nil {
		return e, false, fmt.Errorf("registry %s: %w", code, err)
	}
	return e, true, nil
}

// ByIPA returns the ente of a codice IPA (compared case-insensitively).
func (r *Registry) ByIPA(code string) (RegistryEnte, bool) {
	if r == nil || code == "" {
		return RegistryEnte{}, false
	}
	e, ok := r.byIPA[strings.ToLower(strings.TrimSpace(code))]
	return e, ok
}

// ByCodiceFiscale returns an ente with a codice fiscale.
func (r *Registry) ByCodiceFiscale(cf string) (RegistryEnte, bool) {
	if r == nil || cf == "" {
		return RegistryEnte{}, false
	}
	e, ok := r.byCF[normCF(cf)]
	return e, ok
}

// Ente returns the ente a pair of codes names: by codice IPA, else by codice fiscale.
func (r *Registry) Ente(ipa, cf string) (RegistryEnte, bool) {
	if e, ok := r.ByIPA(ipa); ok {
		return e, true
	}
	return r.ByCodiceFiscale(cf)
}

// Describe says, in Italian for staff, what the registry lists for an ente.
func (e RegistryEnte) Describe() string {
	if e.PEC != "" {
		return say.Text("registry.ente_pec", e.CodiceIPA, e.Denominazione, e.CodiceFiscale, e.PEC)
	}
	return say.Text("registry.ente", e.CodiceIPA, e.Denominazione, e.CodiceFiscale)
}

func normCF(s string) string { return strings.ToUpper(strings.Join(strings.Fields(s), "")) }

// normName compares names of enti: case, accents, punctuation and spacing aside.
func normName(s string) string {
	var b strings.Builder
	space := false
	for _, r := range unorm.NFD.String(strings.ToLower(s)) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
		default:
			space = true
		}
	}
	return b.String()
}
