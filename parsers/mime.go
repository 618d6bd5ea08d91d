package parsers

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"path"
	"slices"
	"strings"
	"sync"

	"github.com/emersion/go-message"
	"github.com/emersion/go-message/textproto"
)

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

// entity handles one MIME entity at depth; name is its path ("1.2") for messages to people.
func (an *analyzer) entity(e *message.Entity, depth int, name string, mc *msgCtx) {
	mediaType, params, _ := an.headerParams(e.Header, "Content-Type")
	mediaType = strings.ToLower(mediaType)
	if mediaType == "" {
		mediaType = "text/plain" // RFC 2045 section 5.2
	}
	file := an.partFilename(e.Header)
	label := partLabel(name, file, mediaType)
	disp, _, _ := an.headerParams(e.Header, "Content-Disposition")
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
		an.reject(label, "part.encrypted")

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
	mr := an.multipartReader(e)
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
				an.reject(partLabel(childName, "", ""), "part.truncated_message")
			}
			break
		}
		if p == nil {
			break
		}
		if !an.count(childName, depth+1) {
			continue
		}
		p = an.fixPart(p)
		an.safely(partLabel(childName, an.partFilename(p.Header), ""), func() { an.entity(p, depth+1, childName, child) })
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
		an.reject(partLabel(name, "", ""), "part.too_many", an.lim.MaxParts)
		an.stopped = true
		return false
	}
	if depth > an.lim.MaxDepth {
		an.reject(partLabel(name, "", ""), "part.too_deep", an.lim.MaxDepth)
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
		an.reject(label, "part.too_deep", an.lim.MaxDepth)
		return
	}
	br := bufio.NewReader(e.Body)
	h, err := readHeader(br)
	if err != nil {
		an.reject(label, "part.attached_message")
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
		an.reject(label, "part.truncated")
		return
	}
	der, ok := p7mDER(data)
	if !ok {
		an.reject(label, "part.smime_signature")
		return
	}
	content, _, err := unwrapP7M(der)
	if err != nil {
		an.reject(label, "part.smime_signature")
		return
	}
	if depth+1 > an.lim.MaxDepth {
		an.reject(label, "part.too_deep", an.lim.MaxDepth)
		return
	}
	br := bufio.NewReader(bytes.NewReader(content))
	h, err := readHeader(br)
	if err != nil {
		an.reject(label, "part.smime_content")
		return
	}
	an.entity(newEntity(h, br), depth+1, name, mc)
}

// bodyPart collects the text of an inline text part.
func (an *analyzer) bodyPart(e *message.Entity, label, mediaType string, mc *msgCtx) {
	// chooseText keeps the plain text this message already has: an HTML alternative is only
	// counted against the limit, not kept nor converted (most of what reading a body cost).
	unused := mediaType == "text/html" && len(mc.plain) > 0
	var (
		data []byte
		n    int64
		cut  bool
		err  error
	)
	if unused {
		n, cut, err = skipText(e.Body, an.lim.MaxBodyTextBytes-an.textRead)
	} else {
		data, cut, err = readText(e.Body, an.lim.MaxBodyTextBytes-an.textRead)
		n = int64(len(data))
	}
	an.textRead += n
	if cut {
		an.reject(label, "part.text_too_long", byteSize(an.lim.MaxBodyTextBytes))
	}
	if err != nil && n == 0 {
		an.reject(label, "part.text_truncated")
		return
	}
	if unused {
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
		an.reject(label, "part.daticert_truncated")
		return
	}
	p, err := parseDaticert(data)
	if err != nil {
		an.reject(label, "part.daticert")
		return
	}
	if an.a.PEC == nil {
		an.a.PEC = p
	}
}

// maxLogoBytes tells a logo in an HTML signature from a scan pasted in the body.
const maxLogoBytes = 64 << 10

// embeddedImage handles a picture referenced by the HTML body: logos of signatures are skipped, a
// large one is likely a scanned form pasted in the message and goes to a person. A logo in
// base64 is measured in its encoded bytes, not decoded (decoding was most of what it cost).
func (an *analyzer) embeddedImage(e *message.Entity, depth int, label, file, mediaType string) {
	if raw, ok := an.raw[e]; ok && strings.ToLower(e.Header.Get("Content-Transfer-Encoding")) == "base64" {
		bufp := rawBufs.Get().(*[]byte)
		enc, err := readUpTo(raw, (*bufp)[:0:2*maxLogoBytes])
		if err == nil && len(enc) < cap(enc) && logoSized(enc) {
			rawBufs.Put(bufp)
			return
		}
		// Anything else is decoded as go-message decodes it, from the bytes read on.
		e = reread(e, enc, raw, err)
	}
	data, err := io.ReadAll(io.LimitReader(e.Body, maxLogoBytes+1))
	if err != nil || len(data) <= maxLogoBytes {
		return
	}
	an.document(&message.Entity{Header: e.Header, Body: io.MultiReader(bytes.NewReader(data), e.Body)}, depth, label, file, mediaType)
}

// logoSized reports whether a whole base64 body decodes to at most maxLogoBytes, or fails to
// decode (either way a logo for embeddedImage). Decoding gives at most 3 bytes for every 4 read,
// so a short body is one whatever it holds, without a look at its bytes.
func logoSized(enc []byte) bool {
	if (len(enc)+3)/4*3 <= maxLogoBytes {
		return true
	}
	size, valid := base64Size(enc)
	return valid && size <= maxLogoBytes
}

// reread is e again, its body decoded as go-message decodes it from the undecoded bytes
// already read (read) and the rest (raw, or err if reading them failed).
func reread(e *message.Entity, read []byte, raw io.Reader, err error) *message.Entity {
	if err != nil {
		raw = iotestErrReader{err}
	}
	if d, _ := message.New(e.Header, io.MultiReader(bytes.NewReader(read), raw)); d != nil {
		return d
	}
	return e
}

// document reads an attachment, opening .p7m envelopes first.
func (an *analyzer) document(e *message.Entity, depth int, label, file, mediaType string) {
	var dst []byte
	if _, ok := an.read.(DocumentCopier); ok {
		bufp := docBufs.Get().(*[]byte)
		dst = (*bufp)[:0]
		defer func() {
			// Nothing holds the array now: the reader copied it, and forms and signers are
			// strings. One larger than a form is left to the collector.
			if cap(dst) <= maxKeptDocument {
				*bufp = dst[:0]
			}
			docBufs.Put(bufp)
		}()
	}
	data, e, err := an.readBody(e, an.lim.MaxDocumentBytes+1, dst)
	dst = data
	if err != nil {
		an.truncated = true
		an.reject(label, "part.attachment_truncated")
		return
	}
	if int64(len(data)) > an.lim.MaxDocumentBytes {
		// A form is tens of kilobytes: something this big is a scan or a manual. A person reads
		// it; holding it in memory to find out would let one message weigh on the daemon.
		io.Copy(io.Discard, e.Body)
		if file == "" {
			file = label
		}
		an.a.Unreadable = append(an.a.Unreadable, rejected(file, "doc.too_big_for_form", byteSize(an.lim.MaxDocumentBytes)))
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
			an.reject(label, "doc.p7m_too_deep", an.lim.MaxDepth-depth)
			return
		case errors.Is(err, errDetached):
			an.reject(label, "doc.p7m_detached")
			return
		case err != nil:
			an.reject(label, "doc.p7m_unreadable")
			return
		}
		name, data, mediaType = inner, content, typeForName(inner)
	}
	if bytes.Contains(data[:min(len(data), 1024)], []byte("%PDF-")) {
		an.a.Signers = append(an.a.Signers, pdfSigners(name, data)...)
	}
	forms, err := an.read.ReadDocument(name, mediaType, data, an.lim)
	// The reader's reason is the sentence the referent reads; ours only when it gives none.
	reason := func(fallback string) Rejected {
		var de *DocumentError
		if errors.As(err, &de) && de.Reason != "" {
			return Rejected{Part: name, Reason: de.Reason, Key: de.Key}
		}
		return rejected(name, fallback)
	}
	switch {
	case errors.Is(err, ErrUnreadable):
		an.a.Unreadable = append(an.a.Unreadable, reason("doc.unreadable"))
	case errors.Is(err, ErrLimit):
		an.a.Rejected = append(an.a.Rejected, reason("doc.too_big"))
	case err != nil:
		an.a.Rejected = append(an.a.Rejected, reason("doc.damaged"))
	}
	an.a.Forms = append(an.a.Forms, forms...)
}

// partFilename returns the decoded base name of an attachment, or "".
func (an *analyzer) partFilename(h message.Header) string {
	_, dp, err := an.headerParams(h, "Content-Disposition")
	name := dp["filename"]
	if name == "" && err != nil {
		name = rawParam(h.Get("Content-Disposition"), "filename")
	}
	if name == "" {
		_, cp, err := an.headerParams(h, "Content-Type")
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

// headerParams is h.ContentType() (field "Content-Type") or h.ContentDisposition(), parsed
// once a value: the walk asks a part's several times (its type, file name, charset, boundary),
// and go-message parses the value again at each. The maps returned are shared: read only.
func (an *analyzer) headerParams(h message.Header, field string) (string, map[string]string, error) {
	key := headerField{field, h.Get(field)}
	if p, ok := an.params[key]; ok {
		return p.value, p.params, p.err
	}
	var p parsedField
	if field == "Content-Type" {
		p.value, p.params, p.err = h.ContentType()
	} else {
		p.value, p.params, p.err = h.ContentDisposition()
	}
	if an.params == nil {
		an.params = map[headerField]parsedField{}
	}
	an.params[key] = p
	return p.value, p.params, p.err
}

type headerField struct{ name, value string }

type parsedField struct {
	value  string
	params map[string]string
	err    error
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

// multipartReader reads the parts of a multipart entity as go-message does (the same parts, the
// same errors), remembering each part's undecoded body for embeddedImage.
func (an *analyzer) multipartReader(e *message.Entity) message.MultipartReader {
	mediaType, params, _ := an.headerParams(e.Header, "Content-Type")
	if _, built := e.Body.(message.MultipartReader); built || !strings.HasPrefix(mediaType, "multipart/") {
		return e.MultipartReader()
	}
	return &rawParts{an: an, r: textproto.NewMultipartReader(e.Body, params["boundary"])}
}

type rawParts struct {
	an *analyzer
	r  *textproto.MultipartReader
}

func (rp *rawParts) NextPart() (*message.Entity, error) {
	p, err := rp.r.NextPart()
	if err != nil {
		return nil, err
	}
	e, err := message.New(message.Header{Header: p.Header}, p)
	if e != nil {
		if rp.an.raw == nil {
			rp.an.raw = map[*message.Entity]io.Reader{}
		}
		rp.an.raw[e] = p
	}
	return e, err
}

func (rp *rawParts) Close() error { return nil }

// readBody reads at most max bytes of e's decoded body, as io.ReadAll(io.LimitReader(e.Body,
// max)) would, and returns the entity whose body holds the rest; a body decoded at once is
// decoded into dst's array when it has room. A base64 body that is whole
// and valid in its first maxRawBytes is decoded at once from its undecoded bytes: go-message's
// decoder filters every byte twice and ReadAll grows its buffer a doubling at a time, which was
// most of what reading a form attachment cost.
func (an *analyzer) readBody(e *message.Entity, max int64, dst []byte) ([]byte, *message.Entity, error) {
	if raw, ok := an.raw[e]; ok && strings.ToLower(e.Header.Get("Content-Transfer-Encoding")) == "base64" && !an.hasCharset(e.Header) {
		bufp := rawBufs.Get().(*[]byte)
		enc, err := readUpTo(raw, (*bufp)[:0])
		if err == nil && len(enc) < cap(enc) {
			if data, ok := decodeBase64(enc, max, dst); ok {
				rawBufs.Put(bufp)
				return data, e, nil
			}
		}
		e = reread(e, enc, raw, err) // enc stays with it
	}
	data, err := io.ReadAll(io.LimitReader(e.Body, max))
	return data, e, err
}

// hasCharset tells a text part that go-message converts from its charset after decoding.
func (an *analyzer) hasCharset(h message.Header) bool {
	mediaType, params, _ := an.headerParams(h, "Content-Type")
	_, ok := params["charset"]
	return ok && strings.HasPrefix(mediaType, "text/")
}

// maxRawBytes is the undecoded size of a base64 body decoded at once (a form of 190 KB; the
// rest are read as a stream).
const maxRawBytes = 256 << 10

// docBufs hold decoded attachments for a DocumentCopier, and maxKeptDocument is the largest
// kept: a form is tens of kilobytes.
var docBufs = sync.Pool{New: func() any { return new([]byte) }}

const maxKeptDocument = 1 << 20

// rawBufs hold a base64 body's undecoded bytes while it is measured or decoded.
var rawBufs = sync.Pool{New: func() any { b := make([]byte, 0, maxRawBytes); return &b }}

// decodeBase64 decodes a whole base64 body as go-message would, into dst's array if it has
// room, if it is valid (base64Size) and decodes to at most max bytes; enc's spaces and tabs are
// dropped in place. Decode itself
// refuses what is not of the alphabet: the rest of base64Size's checks are done here with
// bytes' vector searches, not a look at every byte.
func decodeBase64(enc []byte, max int64, dst []byte) ([]byte, bool) {
	if bytes.IndexByte(enc, ' ') >= 0 || bytes.IndexByte(enc, '\t') >= 0 { // Decode skips line ends only
		enc = slices.DeleteFunc(enc, func(c byte) bool { return c == ' ' || c == '\t' })
	}
	n := len(enc) - bytes.Count(enc, []byte{'\r'}) - bytes.Count(enc, []byte{'\n'})
	pad := 0
	if i := bytes.IndexByte(enc, '='); i >= 0 {
		for _, c := range enc[i:] {
			switch c {
			case '=':
				pad++
			case '\r', '\n':
			default:
				return nil, false // data after the padding
			}
		}
	}
	size := n/4*3 - pad
	if n%4 != 0 || pad > 2 || int64(size) > max {
		return nil, false
	}
	data := dst[:0]
	if cap(data) < n/4*3 {
		data = make([]byte, n/4*3)
	}
	data = data[:n/4*3]
	if k, err := base64.StdEncoding.Decode(data, enc); err != nil || k != size {
		return nil, false
	}
	return data[:size], true
}

// readUpTo reads r into buf until EOF, an error or buf's capacity.
func readUpTo(r io.Reader, buf []byte) ([]byte, error) {
	for len(buf) < cap(buf) {
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
	return buf, nil
}

// iotestErrReader fails every read with err.
type iotestErrReader struct{ err error }

func (r iotestErrReader) Read([]byte) (int, error) { return 0, r.err }

// base64Size is the decoded size of a base64 body (line breaks, spaces and tabs ignored, as
// go-message and encoding/base64 read it); false unless every byte is of the alphabet, the
// padding only ends it and the length is whole quanta, so that decoding could not fail.
func base64Size(b []byte) (int, bool) {
	// Classes are bits: one pass adds up the alphabet and ORs the rest, without a branch.
	n, seen := 0, uint8(0)
	for _, c := range b {
		k := b64Class[c]
		n += int(k & b64Alphabet)
		seen |= k
	}
	if seen&b64Other != 0 {
		return 0, false
	}
	pad := 0
	if i := bytes.IndexByte(b, '='); i >= 0 {
		for _, c := range b[i:] {
			switch b64Class[c] {
			case b64Pad:
				pad++
			case b64Alphabet:
				return 0, false // data after the padding
			}
		}
	}
	n += pad
	if n%4 != 0 || pad > 2 {
		return 0, false
	}
	return n/4*3 - pad, true
}

const (
	b64Alphabet = 1 << iota // counted by adding: the lowest bit
	b64Space
	b64Pad
	b64Other
)

var b64Class = func() (t [256]uint8) {
	for i := range t {
		t[i] = b64Other
	}
	for _, c := range []byte("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/") {
		t[c] = b64Alphabet
	}
	for _, c := range []byte("\r\n \t") {
		t[c] = b64Space
	}
	t['='] = b64Pad
	return t
}()
