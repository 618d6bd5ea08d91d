package parsers

import (
	"errors"
	"time"
)

// Limits bound what one message may cost the daemon. The zero value of a field means its default.
type Limits struct {
	MaxMessageBytes      int64         // whole raw message
	MaxParts             int           // MIME parts, all levels
	MaxDepth             int           // MIME nesting (PEC and .p7m envelopes count)
	MaxDecompressedBytes int64         // per document: zip entries (DOCX, ODT, XLSX), PDF streams
	MaxDocumentBytes     int64         // one attachment read as a document; bigger ones go to a person
	MaxBodyTextBytes     int64         // body text read from one message, all parts together; the rest is skipped
	MaxPDFObjects        int           // objects in one PDF
	DocumentTimeout      time.Duration // time to read one document
	MaxTextBytes         int64         // text read out of one DOCX/ODT (forms have kilobytes)
}

// DefaultLimits are generous for real forms and tight for hostile input.
var DefaultLimits = Limits{
	MaxMessageBytes:      40 << 20,
	MaxParts:             200,
	MaxDepth:             8,
	MaxDecompressedBytes: 50 << 20,
	MaxDocumentBytes:     8 << 20,
	MaxBodyTextBytes:     1 << 20,
	MaxPDFObjects:        50000,
	DocumentTimeout:      5 * time.Second, // real forms take milliseconds; ordinary mail must be answered within seconds
	MaxTextBytes:         4 << 20,
}

// WithDefaults fills the zero fields of l from DefaultLimits.
func (l Limits) WithDefaults() Limits {
	d := DefaultLimits
	if l.MaxMessageBytes > 0 {
		d.MaxMessageBytes = l.MaxMessageBytes
	}
	if l.MaxParts > 0 {
		d.MaxParts = l.MaxParts
	}
	if l.MaxDepth > 0 {
		d.MaxDepth = l.MaxDepth
	}
	if l.MaxDecompressedBytes > 0 {
		d.MaxDecompressedBytes = l.MaxDecompressedBytes
	}
	if l.MaxDocumentBytes > 0 {
		d.MaxDocumentBytes = l.MaxDocumentBytes
	}
	if l.MaxBodyTextBytes > 0 {
		d.MaxBodyTextBytes = l.MaxBodyTextBytes
	}
	if l.MaxPDFObjects > 0 {
		d.MaxPDFObjects = l.MaxPDFObjects
	}
	if l.DocumentTimeout > 0 {
		d.DocumentTimeout = l.DocumentTimeout
	}
	if l.MaxTextBytes > 0 {
		d.MaxTextBytes = l.MaxTextBytes
	}
	return d
}

// ErrLimit is wrapped by every error that reports a limit exceeded.
var ErrLimit = errors.New("limit exceeded")

// ErrUnreadable is wrapped by errors for documents that cannot be read as text (scans, images).
var ErrUnreadable = errors.New("document not readable")
