package parsers_test

import (
	"bytes"
	"testing"
	"time"

	"mailbot/internal/loadreq"
	"mailbot/parsers"
)

// cannedReader answers every document with the forms read once: the benchmark below measures
// the MIME walk and the body, not the attachment's reader (BenchmarkReadDocument does).
type cannedReader struct{ forms []parsers.Form }

func (c cannedReader) ReadDocument(string, string, []byte, parsers.Limits) ([]parsers.Form, error) {
	return c.forms, nil
}

// BenchmarkAnalyzeWalk is BenchmarkAnalyzeLetter without reading the letter: the header, the
// MIME walk (the logo measured, the letter decoded), the body's text split from its quote and
// read for a form, as the daemon does it while a worker reads the letter.
func BenchmarkAnalyzeWalk(b *testing.B) {
	raw := loadreq.Letter(1, "referente@comune.venezia.it", time.Date(2026, 11, 26, 9, 12, 0, 0, time.UTC))
	forms, err := parsers.ReadDocument("lettera_trasmissione.pdf", "application/pdf", loadreq.LetterPDF, parsers.Limits{})
	if err != nil {
		b.Fatal(err)
	}
	rd := cannedReader{forms}
	an, err := parsers.AnalyzeWith(bytes.NewReader(raw), parsers.Limits{}, rd)
	if err != nil || len(an.Forms) < 1 || len(an.Rejected)+len(an.Unreadable) > 0 {
		b.Fatalf("request not understood: err %v, %+v", err, an)
	}
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	done := reportCPU(b)
	defer done()
	for b.Loop() {
		if _, err := parsers.AnalyzeWith(bytes.NewReader(raw), parsers.Limits{}, rd); err != nil {
			b.Fatal(err)
		}
	}
}
