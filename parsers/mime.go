package parsers

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/netip"
	"path"
	"regexp"
	"strings"

	"github.com/emersion/go-message"
	"github.com/emersion/go-message/charset"
	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-message/textproto"
)

// Analysis is what mailbot understands of one raw message.
type Analysis struct {
	MessageID  string     `json:"message_id"` // without angle brackets
	From       string     `json:"from"`       // bare address of the (inner, for PEC) sender
	Subject    string     `json:"subject"`    // decoded, inner message's for PEC
	Auto       bool       `json:"auto"`       // auto-generated: never answered (see AutoReason)
	PEC        *PEC       `json:"pec"`        // nil unless a PEC envelope or receipt
	Forms      []Form     `json:"forms"`      // never nil
	IPs        []string   `json:"ips"`        // public caller IPs/CIDR from body and forms, never nil
	Missing    []string   `json:"missing"`    // step-1 forms absent; never nil
	Signers    []Signer   `json:"signers,omitempty"`
	Rejected   []Rejected `json:"rejected,omitempty"`
	Unreadable []Rejected `json:"unreadable,omitempty"` // scans and images: a person reads them

	Text       string `json:"-"` // fresh text of the (inner) message
	Receipt    string `json:"-"` // PEC receipt kind (X-Ricevuta) or ""
	ReceiptFor string `json:"-"` // X-Riferimento-Message-ID without brackets
	AutoReason string `json:"-"`
}

// Rejected is a part mailbot did not read, with the reason a referent is told (Italian).
type Rejected struct {
	Part   string `json:"part"`
	Reason string `json:"reason"`
}

// StepOneForms are the forms a first integration request must carry.
var StepOneForms = []string{FormInformativaGenerale, FormQualificazioneEnteProdotto}

// maxHeaderBytes bounds one header block, as go-message does by default.
const maxHeaderBytes = 1 << 20

// Analyze reads one raw RFC 5322 message and reports what mailbot understands of it. It never panics;
// it returns an error only when r cannot be read as a message at all (no header).
func Analyze(r io.Reader, lim Limits) (*Analysis, error) {
	lim = lim.WithDefaults()
	in := &capReader{r: r, n: lim.MaxMessageBytes}
	br := bufio.NewReader(in)
	h, err := readHeader(br)
	if err != nil {
		return nil, fmt.Errorf("read message header: %w", err)
	}
	an := &analyzer{lim: lim, a: &Analysis{Forms: []Form{}, IPs: []string{}, Missing: []string{}}}
	an.safely("messaggio", func() { an.top(h, br) })
	if in.over {
		an.reject("messaggio", fmt.Sprintf("il messaggio supera la dimensione massima di %s: la parte eccedente non è stata letta", byteSize(lim.MaxMessageBytes)))
	}
	an.safely("messaggio", an.finish)
	return an.a, nil
}

// MissingForms returns the types in required that no form in forms has, in the order given.
func MissingForms(forms []Form, required ...string) []string {
	missing := []string{}
	for _, t := range required {
		found := false
		for _, f := range forms {
			if f.Type == t {
				found = true
				break
			}
		}
		if !found {
			missing = append(missing, t)
		}
	}
	return missing
}

// role says what a message inside the one analysed is for mailbot.
type role int

const (
	roleMain     role = iota // the request: its text and attachments are read
	roleAttached             // a forwarded message: attachments and text are read for forms
	roleEnvelope             // a PEC envelope: only daticert.xml and postacert.eml matter
	roleReceipt              // a PEC receipt: only daticert.xml matters
)

// msgCtx gathers the body text of one message while its parts are walked.
type msgCtx struct {
	role   role
	plain  []string
	html   []string
	inner  bool // roleEnvelope: postacert.eml already taken
	report bool // inside multipart/report: the returned message is ours or a stranger's
}

type analyzer struct {
	lim       Limits
	a         *Analysis
	parts     int
	stopped   bool // MaxParts reached: nothing more is read
	truncated bool // a part ended before its end: the message was cut
	mainHdr   *textproto.Header
	mainText  string
	attached  []string // text of forwarded messages, read for forms only
	envHdr    textproto.Header
}

// safely runs fn, turning a panic in a third-party parser into a rejected part.
func (an *analyzer) safely(part string, fn func()) {
	defer func() {
		if r := recover(); r != nil {
			an.reject(part, "errore interno durante la lettura: la parte non è stata letta")
		}
	}()
	fn()
}

func (an *analyzer) reject(part, reason string) {
	an.a.Rejected = append(an.a.Rejected, Rejected{Part: part, Reason: reason})
}

// top reads the outermost message, which may be a PEC envelope or receipt.
func (an *analyzer) top(h textproto.Header, body io.Reader) {
	an.envHdr = h
	mc := &msgCtx{role: roleMain}
	if rcpt := strings.ToLower(strings.TrimSpace(h.Get("X-Ricevuta"))); rcpt != "" {
		an.a.Receipt = rcpt
		an.a.ReceiptFor = stripBrackets(h.Get("X-Riferimento-Message-ID"))
		mc.role = roleReceipt
	} else {
		switch strings.ToLower(strings.TrimSpace(h.Get("X-Trasporto"))) {
		case pecTrasportoCertificata, pecTrasportoErrore:
			mc.role = roleEnvelope
		}
	}
	if mc.role == roleMain || mc.role == roleReceipt {
		// A receipt's own notice text and sender are what there is to show.
		an.mainHdr = &h
	}
	e := newEntity(h, body)
	an.entity(e, 0, "", mc)
	if mc.role != roleEnvelope {
		an.mainText = chooseText(mc)
	}
}

// newEntity decodes the transfer encoding and charset of a body. An unknown charset or encoding
// is not fatal: go-message then returns the entity with its body as it is, and toUTF8 copes.
func newEntity(h textproto.Header, body io.Reader) *message.Entity {
	if ct, ok := fixContentType(h.Get("Content-Type")); ok {
		h = h.Copy()
		h.Set("Content-Type", ct)
	}
	e, _ := message.New(message.Header{Header: h}, body)
	return e
}

// fixPart rebuilds a part go-message read with a Content-Type it could not parse (it then sees
// no boundary and no charset). The body is already transfer-decoded, so the copy drops
// Content-Transfer-Encoding.
func fixPart(e *message.Entity) *message.Entity {
	ct, ok := fixContentType(e.Header.Get("Content-Type"))
	if !ok {
		return e
	}
	h := e.Header.Copy()
	h.Set("Content-Type", ct)
	h.Del("Content-Transfer-Encoding")
	if f, _ := message.New(h, e.Body); f != nil {
		return f
	}
	return e
}

// fixContentType returns a parseable Content-Type for a broken one such as
// `multipart/mixed; boundary="x"; charset=` or `application/pdf; name=modulo con spazi.pdf`.
func fixContentType(v string) (string, bool) {
	if v == "" {
		return "", false
	}
	if _, _, err := mime.ParseMediaType(v); err == nil {
		return "", false
	}
	t, _, _ := strings.Cut(v, ";")
	t = strings.ToLower(strings.TrimSpace(t))
	if strings.Count(t, "/") != 1 || strings.ContainsAny(t, " \t\"") {
		t = "application/octet-stream"
	}
	params := map[string]string{}
	for _, k := range []string{"boundary", "charset", "name"} {
		if p := rawParam(v, k); p != "" {
			params[k] = p
		}
	}
	ct := mime.FormatMediaType(t, params)
	if ct == "" {
		ct = mime.FormatMediaType(t, nil)
	}
	return ct, ct != ""
}

// entity handles one MIME entity at depth; name is its path ("1.2") for messages to people.
func (an *analyzer) entity(e *message.Entity, depth int, name string, mc *msgCtx) {
	mediaType, params, _ := e.Header.ContentType()
	mediaType = strings.ToLower(mediaType)
	if mediaType == "" {
		mediaType = "text/plain" // RFC 2045 section 5.2
	}
	file := partFilename(e.Header)
	label := partLabel(name, file, mediaType)
	disp, _, _ := e.Header.ContentDisposition()
	disp, _, _ = strings.Cut(strings.ToLower(disp), ";") // the raw value when it does not parse
	disp = strings.TrimSpace(disp)

	switch {
	case strings.HasPrefix(mediaType, "multipart/"):
		an.multipart(e, depth, name, mc, mediaType)

	case mediaType == "message/rfc822" || mediaType == "message/global":
		an.attachedMessage(e, depth, name, label, file, mc)

	case mc.role == roleEnvelope || mc.role == roleReceipt:
		switch {
		case isDaticert(mediaType, file):
			an.daticert(e, label)
		case mc.role == roleReceipt && (mediaType == "text/plain" || mediaType == "text/html") && file == "":
			an.bodyPart(e, label, mediaType, mc) // the receipt's notice is its text
		}
		// The envelope's notice, its S/MIME signature and anything else: not the request.

	case mediaType == "application/pkcs7-signature" || mediaType == "application/x-pkcs7-signature",
		mediaType == "application/pgp-signature", mediaType == "message/delivery-status",
		mediaType == "message/disposition-notification", mediaType == "text/rfc822-headers":
		// Signatures of the message itself and report machinery carry no forms.

	case (mediaType == "application/pkcs7-mime" || mediaType == "application/x-pkcs7-mime") &&
		strings.EqualFold(params["smime-type"], "enveloped-data"):
		an.reject(label, "il messaggio è cifrato (S/MIME): non può essere letto, va inviato in chiaro")

	case (mediaType == "application/pkcs7-mime" || mediaType == "application/x-pkcs7-mime") &&
		(file == "" || strings.EqualFold(file, "smime.p7m")):
		// S/MIME opaque signing: the signed content is the message's own MIME body.
		an.opaqueSigned(e, depth, name, label, mc)

	case (mediaType == "text/plain" || mediaType == "text/html") && file == "" && disp != "attachment":
		an.bodyPart(e, label, mediaType, mc)

	case strings.HasPrefix(mediaType, "image/") && (file == "" || e.Header.Get("Content-Id") != "" && disp != "attachment"):
		an.embeddedImage(e, depth, label, file, mediaType)

	case file != "" || disp == "attachment":
		an.document(e, depth, label, file, mediaType)
	}
}

// multipart walks the children of a multipart entity, bounding their number and depth.
func (an *analyzer) multipart(e *message.Entity, depth int, name string, mc *msgCtx, mediaType string) {
	mr := e.MultipartReader()
	if mr == nil {
		return
	}
	child := mc
	var alt *msgCtx
	if mediaType == "multipart/alternative" {
		// Collect the alternatives apart and keep one of them: plain text when there is any.
		alt = &msgCtx{role: mc.role, inner: mc.inner, report: mc.report}
		child = alt
	}
	if mediaType == "multipart/report" {
		r := *mc
		r.report = true
		child = &r
		defer func() { mc.plain, mc.html, mc.inner = r.plain, r.html, r.inner }()
	}
	for i := 1; ; i++ {
		if an.stopped {
			return
		}
		childName := fmt.Sprint(i)
		if name != "" {
			childName = name + "." + childName
		}
		var (
			p   *message.Entity
			err error
		)
		func() {
			defer func() {
				if r := recover(); r != nil {
					err = fmt.Errorf("next part: panic: %v", r)
				}
			}()
			p, err = mr.NextPart()
		}()
		if err == io.EOF {
			break
		}
		if err != nil && !message.IsUnknownCharset(err) && !message.IsUnknownEncoding(err) {
			if !an.truncated { // a truncated part already told the referent
				an.reject(partLabel(childName, "", ""), "messaggio troncato o struttura MIME malformata: le parti successive non sono state lette")
			}
			break
		}
		if p == nil {
			break
		}
		if !an.count(childName, depth+1) {
			continue
		}
		p = fixPart(p)
		an.safely(partLabel(childName, partFilename(p.Header), ""), func() { an.entity(p, depth+1, childName, child) })
	}
	if alt != nil {
		if t := chooseText(alt); t != "" {
			if len(alt.plain) > 0 {
				mc.plain = append(mc.plain, t)
			} else {
				mc.html = append(mc.html, t)
			}
		}
		mc.inner = alt.inner
	}
}

// count admits one more part at depth, or rejects it.
func (an *analyzer) count(name string, depth int) bool {
	an.parts++
	if an.parts > an.lim.MaxParts {
		an.reject(partLabel(name, "", ""), fmt.Sprintf("il messaggio contiene più di %d parti: le successive non sono state lette", an.lim.MaxParts))
		an.stopped = true
		return false
	}
	if depth > an.lim.MaxDepth {
		an.reject(partLabel(name, "", ""), fmt.Sprintf("parte annidata oltre %d livelli: non è stata letta", an.lim.MaxDepth))
		return false
	}
	return true
}

// attachedMessage handles a message/rfc822 part: PEC's postacert.eml, or a forwarded message.
func (an *analyzer) attachedMessage(e *message.Entity, depth int, name, label, file string, mc *msgCtx) {
	switch {
	case mc.role == roleReceipt, mc.report:
		// A complete receipt or a bounce returns a message already handled (maybe our own).
		return
	case mc.role == roleEnvelope && (mc.inner || file != "" && !strings.EqualFold(file, pecPostacertName)):
		return
	}
	if depth+1 > an.lim.MaxDepth {
		an.reject(label, fmt.Sprintf("parte annidata oltre %d livelli: non è stata letta", an.lim.MaxDepth))
		return
	}
	br := bufio.NewReader(e.Body)
	h, err := readHeader(br)
	if err != nil {
		an.reject(label, "il messaggio allegato non è leggibile")
		return
	}
	inner := newEntity(h, br)
	sub := &msgCtx{role: roleAttached}
	if mc.role == roleEnvelope {
		mc.inner = true
		sub.role = roleMain
		an.mainHdr = &h
	}
	an.entity(inner, depth+1, name, sub)
	if t := chooseText(sub); t != "" {
		if sub.role == roleMain {
			an.mainText = t
		} else {
			an.attached = append(an.attached, t)
		}
	}
}

// opaqueSigned opens an S/MIME signed-data body (smime.p7m) and walks the MIME entity inside.
func (an *analyzer) opaqueSigned(e *message.Entity, depth int, name, label string, mc *msgCtx) {
	data, err := io.ReadAll(e.Body)
	if err != nil {
		an.reject(label, "parte troncata o codificata male: non è stata letta")
		return
	}
	der, ok := p7mDER(data)
	if !ok {
		an.reject(label, "firma S/MIME non leggibile")
		return
	}
	content, _, err := unwrapP7M(der)
	if err != nil {
		an.reject(label, "firma S/MIME non leggibile")
		return
	}
	if depth+1 > an.lim.MaxDepth {
		an.reject(label, fmt.Sprintf("parte annidata oltre %d livelli: non è stata letta", an.lim.MaxDepth))
		return
	}
	br := bufio.NewReader(bytes.NewReader(content))
	h, err := readHeader(br)
	if err != nil {
		an.reject(label, "il contenuto firmato non è una parte MIME leggibile")
		return
	}
	an.entity(newEntity(h, br), depth+1, name, mc)
}

// bodyPart collects the text of an inline text part.
func (an *analyzer) bodyPart(e *message.Entity, label, mediaType string, mc *msgCtx) {
	data, err := io.ReadAll(e.Body)
	if err != nil && len(data) == 0 {
		an.reject(label, "testo troncato o codificato male: non è stato letto")
		return
	}
	// A truncated body still says something: keep what was read.
	t := bodyText(mediaType, data)
	if t == "" {
		return
	}
	if mediaType == "text/html" {
		mc.html = append(mc.html, t)
	} else {
		mc.plain = append(mc.plain, t)
	}
}

// chooseText returns the body text of a message: its plain parts, or its HTML ones converted.
func chooseText(mc *msgCtx) string {
	parts := mc.plain
	if len(parts) == 0 {
		parts = mc.html
	}
	return strings.TrimSpace(strings.Join(parts, "\n\n"))
}

// daticert reads the certification data of a PEC envelope or receipt.
func (an *analyzer) daticert(e *message.Entity, label string) {
	data, err := io.ReadAll(io.LimitReader(e.Body, maxDaticertBytes+1))
	if err != nil {
		an.reject(label, "dati di certificazione PEC troncati: non sono stati letti")
		return
	}
	p, err := parseDaticert(data)
	if err != nil {
		an.reject(label, "dati di certificazione PEC (daticert.xml) non leggibili")
		return
	}
	if an.a.PEC == nil {
		an.a.PEC = p
	}
}

// maxLogoBytes tells a logo in an HTML signature from a scan pasted in the body.
const maxLogoBytes = 64 << 10

// embeddedImage handles a picture referenced by the HTML body: logos of signatures are skipped, a
// large one is likely a scanned form pasted in the message and goes to a person.
func (an *analyzer) embeddedImage(e *message.Entity, depth int, label, file, mediaType string) {
	data, err := io.ReadAll(io.LimitReader(e.Body, maxLogoBytes+1))
	if err != nil || len(data) <= maxLogoBytes {
		return
	}
	an.document(&message.Entity{Header: e.Header, Body: io.MultiReader(bytes.NewReader(data), e.Body)}, depth, label, file, mediaType)
}

// document reads an attachment, opening .p7m envelopes first.
func (an *analyzer) document(e *message.Entity, depth int, label, file, mediaType string) {
	data, err := io.ReadAll(io.LimitReader(e.Body, an.lim.MaxDocumentBytes+1))
	if err != nil {
		an.truncated = true
		an.reject(label, "allegato troncato o codificato male: non è stato letto")
		return
	}
	if int64(len(data)) > an.lim.MaxDocumentBytes {
		// A form is tens of kilobytes: something this big is a scan or a manual. A person reads
		// it; holding it in memory to find out would let one message weigh on the daemon.
		io.Copy(io.Discard, e.Body)
		if file == "" {
			file = label
		}
		an.a.Unreadable = append(an.a.Unreadable, Rejected{Part: file, Reason: fmt.Sprintf(
			"il documento supera %s, troppo per essere un modulo compilato: lo leggerà un operatore", byteSize(an.lim.MaxDocumentBytes))})
		return
	}
	an.readDocument(depth, label, file, mediaType, data)
}

func (an *analyzer) readDocument(depth int, label, file, mediaType string, data []byte) {
	if file == "" {
		file = "allegato" + extFor(mediaType)
	}
	name := file
	if hasP7MSuffix(file) || mediaType == "application/pkcs7-mime" || mediaType == "application/x-pkcs7-mime" {
		inner, content, signers, err := openP7M(file, data, an.lim.MaxDepth-depth)
		an.a.Signers = append(an.a.Signers, signers...)
		switch {
		case errors.Is(err, ErrLimit):
			an.reject(label, fmt.Sprintf("file firmato con più di %d buste di firma annidate: non è stato letto", an.lim.MaxDepth-depth))
			return
		case errors.Is(err, errDetached):
			an.reject(label, "il file .p7m contiene solo la firma, non il documento firmato: inviare il file firmato completo")
			return
		case err != nil:
			an.reject(label, "file firmato digitalmente (.p7m) non leggibile: inviarlo di nuovo o senza firma")
			return
		}
		name, data, mediaType = inner, content, typeForName(inner)
	}
	forms, err := ReadDocument(name, mediaType, data, an.lim)
	// The reader's reason is the sentence the referent reads; ours only when it gives none.
	reason := func(fallback string) string {
		var de *DocumentError
		if errors.As(err, &de) && de.Reason != "" {
			return de.Reason
		}
		return fallback
	}
	switch {
	case errors.Is(err, ErrUnreadable):
		an.a.Unreadable = append(an.a.Unreadable, Rejected{Part: name, Reason: reason("il documento non è leggibile automaticamente: lo leggerà un operatore")})
	case errors.Is(err, ErrLimit):
		an.reject(name, reason("il documento è troppo grande o complesso per essere letto automaticamente"))
	case err != nil:
		an.reject(name, reason("il documento è danneggiato o in un formato che non riusciamo a leggere"))
	}
	an.a.Forms = append(an.a.Forms, forms...)
}

// finish fills the fields computed from the whole message.
func (an *analyzer) finish() {
	a := an.a
	if an.mainHdr != nil {
		h := *an.mainHdr
		a.MessageID = messageID(h)
		a.From = fromAddress(h)
		a.Subject = decodeSubject(h)
		a.AutoReason = autoReasonFromHeader(h)
	}
	if a.Receipt != "" {
		a.AutoReason = "PEC receipt " + a.Receipt
	}
	if p := a.PEC; p != nil {
		// A PEC envelope without a readable postacert.eml still tells who sent what.
		if a.MessageID == "" {
			a.MessageID = p.Msgid
		}
		if a.From == "" {
			a.From = p.Mittente
		}
	}
	if a.MessageID == "" {
		a.MessageID = messageID(an.envHdr)
	}
	if a.From == "" && isPECEnvelope(an.envHdr) {
		// "Per conto di: x" <posta-certificata@provider>: the sender is in Reply-To.
		rt := textproto.Header{}
		rt.Set("From", an.envHdr.Get("Reply-To"))
		a.From = fromAddress(rt)
	}
	if a.From == "" {
		a.From = fromAddress(an.envHdr)
	}
	if a.Subject == "" {
		a.Subject = strings.TrimSpace(strings.TrimPrefix(decodeSubject(an.envHdr), "POSTA CERTIFICATA:"))
	}
	if a.PEC == nil && an.a.Receipt == "" && isPECEnvelope(an.envHdr) {
		a.PEC = &PEC{Tipo: strings.ToLower(strings.TrimSpace(an.envHdr.Get("X-Trasporto")))}
	}
	if a.PEC != nil && a.PEC.Tipo == "" {
		a.PEC.Tipo = a.Receipt
	}
	a.Auto = a.AutoReason != ""

	fresh, quoted, _ := SplitReply(an.mainText)
	a.Text = fresh
	if a.Receipt == "" {
		read := fresh
		if isForward(a.Subject) {
			// A forwarded request carries its forms in the "quoted" part.
			read = strings.TrimSpace(fresh + "\n\n" + unquote(quoted))
		}
		if read != "" {
			a.Forms = append(a.Forms, ReadText(read, SourceBody)...)
		}
		for _, t := range an.attached {
			a.Forms = append(a.Forms, ReadText(t, "messaggio inoltrato")...)
		}
	}
	an.collectIPs(fresh)
	if !a.Auto {
		a.Missing = MissingForms(a.Forms, StepOneForms...)
	}
}

var forwardSubject = regexp.MustCompile(`(?i)^\s*(\[[^\]]*\]\s*)?(fwd?|i|inoltro|tr|wg)\s*:`)

func isForward(subject string) bool { return forwardSubject.MatchString(subject) }

func isPECEnvelope(h textproto.Header) bool {
	switch strings.ToLower(strings.TrimSpace(h.Get("X-Trasporto"))) {
	case pecTrasportoCertificata, pecTrasportoErrore:
		return true
	}
	return false
}

// ipToken finds what looks like an IP address or CIDR in text: dotted quads (even wrong ones,
// which the referent must correct) and IPv6 with at least two colons.
var ipToken = regexp.MustCompile(`(?i)(?:^|[^0-9a-z.:])((?:\d{1,3}\.){3}\d{1,3}(?:/\d{1,3})?|[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}(?:/\d{1,3})?)`)

// collectIPs gathers valid caller IPs from the forms' ip_* fields and the fresh text, and turns
// the invalid ones of the text into problems of the body form.
func (an *analyzer) collectIPs(fresh string) {
	a := an.a
	seen := map[string]bool{}
	add := func(v string) {
		if n, err := NormalizeIP(v); err == nil && !seen[n] {
			seen[n] = true
			a.IPs = append(a.IPs, n)
		}
	}
	// Addresses the forms already hold or already complain about are not reported twice.
	inForms := map[string]bool{}
	for _, f := range a.Forms {
		for k, v := range f.Fields {
			if strings.HasPrefix(k, "ip_") {
				for _, ip := range frValues(v) {
					inForms[strings.TrimSpace(ip)] = true
					add(ip)
				}
			}
		}
		for _, p := range f.Problems {
			if strings.HasPrefix(p.Field, "ip_") {
				inForms[strings.TrimSpace(p.Value)] = true
			}
		}
	}
	var problems []Problem
	for _, m := range ipToken.FindAllStringSubmatchIndex(fresh, -1) {
		tok, rest := fresh[m[2]:m[3]], fresh[m[3]:]
		if !looksLikeIP(tok) || !ipTokenEnds(tok, rest) || inForms[tok] {
			continue
		}
		if _, err := NormalizeIP(tok); err != nil {
			problems = append(problems, ipProblem(tok, err))
			inForms[tok] = true // once per address
			continue
		}
		add(tok)
	}
	if len(problems) == 0 {
		return
	}
	for i := range a.Forms {
		if a.Forms[i].Source == SourceBody {
			a.Forms[i].Problems = append(a.Forms[i].Problems, problems...)
			return
		}
	}
	a.Forms = append(a.Forms, Form{Source: SourceBody, Fields: map[string]any{}, Problems: problems, Provenance: map[string]Provenance{}})
}

// ipTokenEnds reports whether the token found is whole: "1.2.3.4" in "versione 1.2.3.4.5" or
// "1.2.3.4abc" is not an address. A port after an IPv4 address ("1.2.3.4:8443") is fine.
func ipTokenEnds(tok, rest string) bool {
	if rest == "" {
		return true
	}
	c := rest[0]
	if c < 0x80 && isAlnum(string(c)) {
		return false
	}
	if c == '.' && len(rest) > 1 && rest[1] >= '0' && rest[1] <= '9' {
		return false
	}
	return c != ':' || !strings.Contains(tok, ":")
}

// looksLikeIP keeps dotted quads and tokens that parse as IPv6: "10:15:00" is a time, not an
// address, and must not become a problem.
func looksLikeIP(tok string) bool {
	addr, _, _ := strings.Cut(tok, "/")
	if strings.Count(addr, ".") == 3 && !strings.Contains(addr, ":") {
		return true
	}
	_, err := netip.ParseAddr(addr)
	return err == nil
}

// ipProblem reports an address of the body that cannot be a caller. The body's addresses are
// usually the production ones the referent lists at step 3.
func ipProblem(value string, err error) Problem {
	return Problem{Field: "ip_esercizio", Value: value, Message: err.Error()}
}

// messageID returns the Message-ID without brackets.
func messageID(h textproto.Header) string {
	mh := mail.Header{Header: message.Header{Header: h}}
	if id, err := mh.MessageID(); err == nil && id != "" {
		return id
	}
	return stripBrackets(h.Get("Message-Id"))
}

// fromAddress returns the bare, lower-case address of the first From mailbox.
func fromAddress(h textproto.Header) string {
	v := h.Get("From")
	if v == "" {
		return ""
	}
	if addr, err := mail.ParseAddress(v); err == nil {
		return strings.ToLower(addr.Address)
	}
	if list, err := mail.ParseAddressList(v); err == nil && len(list) > 0 {
		return strings.ToLower(list[0].Address)
	}
	// A sloppy header: keep the first thing that looks like an address.
	for _, f := range strings.FieldsFunc(v, func(r rune) bool { return strings.ContainsRune(" ,;<>\"()", r) }) {
		if strings.Count(f, "@") == 1 && !strings.HasPrefix(f, "@") && !strings.HasSuffix(f, "@") {
			return strings.ToLower(f)
		}
	}
	return ""
}

func decodeSubject(h textproto.Header) string {
	return decodeWords(h.Get("Subject"))
}

// decodeWords decodes RFC 2047 words and stray 8-bit text, and folds whitespace.
func decodeWords(s string) string {
	dec := mime.WordDecoder{CharsetReader: charset.Reader}
	if d, err := dec.DecodeHeader(s); err == nil {
		s = d
	}
	return strings.Join(strings.Fields(toUTF8([]byte(s))), " ")
}

// partFilename returns the decoded base name of an attachment, or "".
func partFilename(h message.Header) string {
	_, dp, err := h.ContentDisposition()
	name := dp["filename"]
	if name == "" && err != nil {
		name = rawParam(h.Get("Content-Disposition"), "filename")
	}
	if name == "" {
		_, cp, err := h.ContentType()
		name = cp["name"]
		if name == "" && err != nil {
			name = rawParam(h.Get("Content-Type"), "name")
		}
	}
	if name == "" {
		return ""
	}
	name = decodeWords(name)
	name = name[strings.LastIndexAny(name, `/\`)+1:] // Windows paths in old clients
	return strings.TrimSpace(name)
}

// rawParam digs a parameter out of a header that mime.ParseMediaType refused.
func rawParam(v, key string) string {
	re := regexp.MustCompile(`(?i)\b` + regexp.QuoteMeta(key) + `\*?=\s*"?([^";]+)`)
	if m := re.FindStringSubmatch(v); m != nil {
		return strings.TrimSpace(m[1])
	}
	return ""
}

func partLabel(name, file, mediaType string) string {
	if file != "" {
		return file
	}
	if name == "" {
		name = "1"
	}
	if mediaType != "" {
		return fmt.Sprintf("parte %s (%s)", name, mediaType)
	}
	return "parte " + name
}

func isDaticert(mediaType, file string) bool {
	return strings.EqualFold(file, pecDaticertName) ||
		file == "" && (mediaType == "application/xml" || mediaType == "text/xml")
}

// typeForName guesses the media type of a file from its name (inner files of .p7m have none).
func typeForName(name string) string {
	ext := strings.ToLower(path.Ext(name))
	if t := mime.TypeByExtension(ext); t != "" {
		t, _, _ = strings.Cut(t, ";")
		return t
	}
	switch ext {
	case ".docx":
		return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	case ".xlsx":
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	case ".odt":
		return "application/vnd.oasis.opendocument.text"
	case ".pdf":
		return "application/pdf"
	}
	return "application/octet-stream"
}

// extFor names an attachment that came without a file name; the usual extension first, since
// mime.ExtensionsByType sorts them alphabetically (".asc" before ".txt").
func extFor(mediaType string) string {
	switch mediaType {
	case "text/plain":
		return ".txt"
	case "text/html":
		return ".html"
	case "image/jpeg":
		return ".jpg"
	case "application/pdf":
		return ".pdf"
	}
	if exts, _ := mime.ExtensionsByType(mediaType); len(exts) > 0 {
		return exts[0]
	}
	return ""
}

func byteSize(n int64) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%d MB", n>>20)
	}
	return fmt.Sprintf("%d KB", (n+1023)>>10)
}

// capReader reads at most n bytes and notes whether the source had more.
type capReader struct {
	r    io.Reader
	n    int64
	over bool
}

func (c *capReader) Read(p []byte) (int, error) {
	if c.n <= 0 {
		if !c.over {
			var one [1]byte
			if k, _ := io.ReadFull(c.r, one[:]); k > 0 {
				c.over = true
			}
		}
		return 0, io.EOF
	}
	if int64(len(p)) > c.n {
		p = p[:c.n]
	}
	k, err := c.r.Read(p)
	c.n -= int64(k)
	return k, err
}

// errNoHeader reports input that is not a message: no header field before the body.
var errNoHeader = errors.New("no header fields")

// readHeader reads a header block leniently: lines that are not fields (an mbox "From " line,
// garbage from a broken client) are dropped instead of failing the whole message, and a header
// cut short by the end of input still counts.
func readHeader(br *bufio.Reader) (textproto.Header, error) {
	var raw bytes.Buffer
	for {
		line, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			// An endless line: keep reading it, bounded by maxHeaderBytes.
			raw.Write(line)
			if raw.Len() > maxHeaderBytes {
				return textproto.Header{}, fmt.Errorf("header over %d bytes: %w", maxHeaderBytes, ErrLimit)
			}
			continue
		}
		if len(bytes.TrimRight(line, "\r\n")) == 0 && (len(line) > 0 || err != nil) {
			break // blank line: end of header (or end of input)
		}
		raw.Write(line)
		if raw.Len() > maxHeaderBytes {
			return textproto.Header{}, fmt.Errorf("header over %d bytes: %w", maxHeaderBytes, ErrLimit)
		}
		if err != nil {
			if err == io.EOF {
				break
			}
			return textproto.Header{}, err
		}
	}
	if h, err := textproto.ReadHeader(bufio.NewReader(io.MultiReader(bytes.NewReader(raw.Bytes()), strings.NewReader("\r\n")))); err == nil && h.Len() > 0 {
		return h, nil
	}
	var clean bytes.Buffer
	inField := false
	for _, line := range bytes.SplitAfter(raw.Bytes(), []byte("\n")) {
		switch {
		case len(line) == 0:
		case line[0] == ' ' || line[0] == '\t':
			if inField {
				clean.Write(line)
			}
		case isFieldLine(line):
			clean.Write(line)
			if !bytes.HasSuffix(line, []byte("\n")) {
				clean.WriteString("\r\n")
			}
			inField = true
		default:
			inField = false
		}
	}
	clean.WriteString("\r\n")
	h, err := textproto.ReadHeader(bufio.NewReader(&clean))
	if err != nil {
		return textproto.Header{}, fmt.Errorf("parse header: %w", err)
	}
	if h.Len() == 0 {
		return textproto.Header{}, errNoHeader
	}
	return h, nil
}

// isFieldLine reports whether line starts with "Name:", Name being printable ASCII without
// spaces (RFC 5322 section 2.2).
func isFieldLine(line []byte) bool {
	i := bytes.IndexByte(line, ':')
	if i <= 0 {
		return false
	}
	for _, c := range line[:i] {
		if c <= ' ' || c > '~' {
			return false
		}
	}
	return true
}

// autoReasonFromHeader applies RFC 3834 and common practice: the first sign that a message was
// generated by a machine, or "". The daemon's intake has its own check on the outer header;
// this one looks at the message mailbot analyses (the inner one, for PEC).
func autoReasonFromHeader(h textproto.Header) string {
	lower := func(k string) string {
		v, _, _ := strings.Cut(h.Get(k), ";")
		return strings.ToLower(strings.TrimSpace(v))
	}
	if v := lower("Auto-Submitted"); v != "" && v != "no" {
		return "Auto-Submitted: " + v
	}
	switch v := lower("Precedence"); v {
	case "bulk", "junk", "list":
		return "Precedence: " + v
	}
	for _, k := range []string{"List-Id", "List-Unsubscribe", "X-Auto-Response-Suppress", "X-Autoreply", "X-Autorespond", "X-Ricevuta"} {
		if h.Has(k) {
			return k + " present"
		}
	}
	if h.Has("Return-Path") && strings.Trim(strings.TrimSpace(h.Get("Return-Path")), "<> ") == "" {
		return "empty Return-Path (bounce)"
	}
	from := fromAddress(h)
	local, _, _ := strings.Cut(from, "@")
	switch strings.NewReplacer("-", "", "_", "", ".", "").Replace(local) {
	case "mailerdaemon", "postmaster", "noreply", "donotreply":
		return "sender " + from
	}
	if mt, _, err := mime.ParseMediaType(h.Get("Content-Type")); err == nil && mt == "multipart/report" {
		return "multipart/report (delivery or read report)"
	}
	return ""
}
