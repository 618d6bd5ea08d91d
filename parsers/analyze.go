package parsers

import (
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/emersion/go-message"
	"github.com/emersion/go-message/textproto"

	"mailbot/mailaddr"
	"mailbot/templates/say"
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
	OwnWords   string `json:"-"` // the part of Text above anything quoted (OwnWords): commands come from it
	Quoted     string `json:"-"` // what the (inner) message quotes, read only to mask secrets
	Receipt    string `json:"-"` // PEC receipt kind (X-Ricevuta) or ""
	ReceiptFor string `json:"-"` // X-Riferimento-Message-ID without brackets
	AutoReason string `json:"-"`
}

// Rejected is a part mailbot did not read, with the reason a referent is told (Italian) and
// its key in templates/say, which code and metrics go by.
type Rejected struct {
	Part   string `json:"part"`
	Reason string `json:"reason"`
	Key    string `json:"key"`
}

// rejected is part not read for the reason of key, worded with args.
func rejected(part, key string, args ...any) Rejected {
	return Rejected{Part: part, Reason: say.Text(key, args...), Key: key}
}

// StepOneForms are the forms a first integration request must carry.
var StepOneForms = []string{FormInformativaGenerale, FormQualificazioneEnteProdotto}

// DocumentReader reads one attachment as forms, with ReadDocument's contract. The daemon's
// reads it in a worker process (a library's fatal error must not end mailbot); InProcess
// reads it here.
type DocumentReader interface {
	ReadDocument(name, contentType string, data []byte, lim Limits) ([]Form, error)
}

// DocumentCopier is a DocumentReader done with a document's bytes when ReadDocument returns,
// having copied them (the daemon's, to a worker process): the analyzer then decodes the next
// attachment into the same array instead of a new one. A reader that may still read them after
// it returns (InProcess past a deadline) must not be one.
type DocumentCopier interface {
	DocumentReader
	CopiesDocuments()
}

// InProcess is the DocumentReader that reads in the calling process (ReadDocument): for tests
// and for the worker processes themselves.
var InProcess DocumentReader = inProcess{}

type inProcess struct{}

func (inProcess) ReadDocument(name, contentType string, data []byte, lim Limits) ([]Form, error) {
	return ReadDocument(name, contentType, data, lim)
}

// Analyze reads one raw RFC 5322 message and reports what mailbot understands of it, reading
// documents in this process. It never panics; it returns an error only when r cannot be read
// as a message at all (no header).
func Analyze(r io.Reader, lim Limits) (*Analysis, error) {
	return AnalyzeWith(r, lim, InProcess)
}

// AnalyzeWith is Analyze with documents read by rd.
func AnalyzeWith(r io.Reader, lim Limits, rd DocumentReader) (*Analysis, error) {
	lim = lim.WithDefaults()
	in := &capReader{r: r, n: lim.MaxMessageBytes}
	br := getBufReader(in)
	defer putBufReader(br)
	h, err := readHeader(br)
	if err != nil {
		return nil, fmt.Errorf("read message header: %w", err)
	}
	return analyzeBody(h, br, in, lim, rd), nil
}

// analyzeBody analyzes a message of header h, its body read from body, which reads in.
func analyzeBody(h textproto.Header, body io.Reader, in *capReader, lim Limits, rd DocumentReader) *Analysis {
	an := &analyzer{lim: lim, read: rd, a: &Analysis{Forms: []Form{}, IPs: []string{}, Missing: []string{}}}
	an.safely("messaggio", func() { an.top(h, body) })
	if in.over {
		an.reject("messaggio", "part.message_too_big", byteSize(lim.MaxMessageBytes))
	}
	an.safely("messaggio", an.finish)
	return an.a
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
	read      DocumentReader
	a         *Analysis
	parts     int
	stopped   bool // MaxParts reached: nothing more is read
	truncated bool // a part ended before its end: the message was cut
	mainHdr   *textproto.Header
	mainText  string
	attached  []string // text of forwarded messages, read for forms only
	envHdr    textproto.Header
	textRead  int64 // bytes of body text read, all parts: bounded by Limits.MaxBodyTextBytes
	// raw is the undecoded body of each part read through multipartReader
	raw    map[*message.Entity]io.Reader
	params map[headerField]parsedField // see headerParams
}

// safely runs fn, turning a panic in a third-party parser into a rejected part.
func (an *analyzer) safely(part string, fn func()) {
	defer func() {
		if r := recover(); r != nil {
			an.reject(part, "part.internal_error")
		}
	}()
	fn()
}

func (an *analyzer) reject(part, key string, args ...any) {
	an.a.Rejected = append(an.a.Rejected, rejected(part, key, args...))
}

// finish fills the fields computed from the whole message.
func (an *analyzer) finish() {
	a := an.a
	if an.mainHdr != nil {
		h := *an.mainHdr
		a.MessageID = messageID(h)
		a.From = fromAddress(h)
		a.Subject = decodeSubject(h)
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
	if a.PEC != nil {
		if from := addresses(an.envHdr.Get("From")); len(from) > 0 {
			if v, ok := strings.CutPrefix(strings.TrimSpace(from[0].Name), "Per conto di:"); ok {
				a.PEC.OnBehalfOf = mailaddr.Norm(strings.TrimSpace(v)).String()
			}
		}
	}
	if an.mainHdr != nil {
		a.AutoReason = autoReason(*an.mainHdr, a.From)
	}
	if a.Receipt != "" {
		a.AutoReason = "PEC receipt " + a.Receipt
	}
	a.Auto = a.AutoReason != ""

	fresh, quoted, _, own := splitReply(an.mainText)
	a.Text, a.Quoted, a.OwnWords = fresh, quoted, own
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
