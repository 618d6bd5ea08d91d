package parsers_test

import (
	"bytes"
	"strings"
	"syscall"
	"testing"
	"time"

	"mailbot/internal/formgen"
	"mailbot/internal/loadreq"
	"mailbot/parsers"
)

// The benchmarks read the load command's request: a referent's mail with an HTML alternative,
// a logo in the signature and both step-one forms filled in as PDF, about 87 KB on the wire.
//
//	go test ./parsers -run '^$' -bench . -benchmem
//
// Each also reports cpu-ns/op, the process's CPU time (user and system, every thread: the
// garbage collector's too) per iteration: on a machine shared with other work, wall time
// (ns/op) grows with the load and CPU time does not.

// reportCPU starts counting CPU time; call the function it returns after the loop.
func reportCPU(b *testing.B) func() {
	start := cpuTime()
	return func() {
		if b.N > 0 {
			b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
		}
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkAnalyze is the MIME walk of one request: header, body text, both PDFs read as forms.
func BenchmarkAnalyze(b *testing.B) {
	raw, err := loadreq.New(1, "referente@comune.venezia.it", time.Date(2026, 11, 26, 9, 12, 0, 0, time.UTC))
	if err != nil {
		b.Fatal(err)
	}
	if n := len(raw); n < 80<<10 || n > 95<<10 {
		b.Fatalf("benchmark request is %d bytes, want about 87 KB", n)
	}
	an, err := parsers.Analyze(bytes.NewReader(raw), parsers.Limits{})
	if err != nil || len(an.Forms) < 2 || len(an.Missing) != 0 {
		b.Fatalf("request not understood: err %v, forms %d, missing %v", err, len(an.Forms), an.Missing)
	}
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	done := reportCPU(b)
	for b.Loop() {
		if _, err := parsers.Analyze(bytes.NewReader(raw), parsers.Limits{}); err != nil {
			b.Fatal(err)
		}
	}
	done()
}

// BenchmarkAnalyzeLetter is a request of the letter workload: the Informativa Generale typed in
// the body, a cover letter printed to PDF attached.
func BenchmarkAnalyzeLetter(b *testing.B) {
	raw := loadreq.Letter(1, "referente@comune.venezia.it", time.Date(2026, 11, 26, 9, 12, 0, 0, time.UTC))
	an, err := parsers.Analyze(bytes.NewReader(raw), parsers.Limits{})
	if err != nil || len(an.Forms) < 1 {
		b.Fatalf("request not understood: err %v, forms %d", err, len(an.Forms))
	}
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	done := reportCPU(b)
	defer done()
	for b.Loop() {
		if _, err := parsers.Analyze(bytes.NewReader(raw), parsers.Limits{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAnalyzeBig is a request with a 25 MB scanned PDF beside its forms: the cost of a
// large attachment, and (with -benchmem) the bytes it allocates per message.
func BenchmarkAnalyzeBig(b *testing.B) {
	raw, err := loadreq.Big(1, "referente@comune.venezia.it", time.Date(2026, 11, 26, 9, 12, 0, 0, time.UTC), 25<<20)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	done := reportCPU(b)
	defer done()
	for b.Loop() {
		an, err := parsers.Analyze(bytes.NewReader(raw), parsers.Limits{})
		if err != nil || len(an.Forms) < 2 {
			b.Fatalf("request not understood: err %v, forms %d", err, len(an.Forms))
		}
	}
}

// BenchmarkReadDocument reads each step-one form in each format it is accepted in, and the
// one-page cover letter printed from a word processor that the letter workload attaches.
func BenchmarkReadDocument(b *testing.B) {
	b.Run("pdf/printed-letter", func(b *testing.B) {
		if _, err := parsers.ReadDocument("lettera_trasmissione.pdf", "", loadreq.LetterPDF, parsers.Limits{}); err != nil {
			b.Fatal(err)
		}
		b.SetBytes(int64(len(loadreq.LetterPDF)))
		b.ReportAllocs()
		done := reportCPU(b)
		defer done()
		for b.Loop() {
			if _, err := parsers.ReadDocument("lettera_trasmissione.pdf", "", loadreq.LetterPDF, parsers.Limits{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, format := range []string{formgen.FormatPDF, formgen.FormatDOCX, formgen.FormatODT, formgen.FormatXLSX} {
		for _, fx := range formgen.Fixtures()[:2] {
			data, err := formgen.Fill(fx.FormType, format, fx.Values)
			if err != nil {
				b.Fatal(err)
			}
			name := fx.Name + "." + format
			b.Run(format+"/"+strings.SplitN(fx.Name, "_", 2)[0], func(b *testing.B) {
				forms, err := parsers.ReadDocument(name, "", data, parsers.Limits{})
				if err != nil || len(forms) != 1 || forms[0].Type != fx.FormType {
					b.Fatalf("%s: err %v, forms %+v", name, err, forms)
				}
				b.SetBytes(int64(len(data)))
				b.ReportAllocs()
				done := reportCPU(b)
				defer done()
				for b.Loop() {
					if _, err := parsers.ReadDocument(name, "", data, parsers.Limits{}); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkReadTextLetter is the body form of the letter workload read as the walk reads it:
// the message's text split from its quote, then its fresh text read for a form.
func BenchmarkReadTextLetter(b *testing.B) {
	text := "Buongiorno,\n\nin allegato la lettera di trasmissione; di seguito i dati dell'ente.\n\n" +
		strings.ReplaceAll(loadreq.BodyForm(1), "\r\n", "\n") + "\nCordiali saluti,\nMaria Bianchi\nServizi informatici"
	fresh, _, _ := parsers.SplitReply(text)
	if forms := parsers.ReadText(fresh, parsers.SourceBody); len(forms) != 1 || len(forms[0].Fields) < 20 {
		b.Fatalf("body form not read: %+v", forms)
	}
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	done := reportCPU(b)
	defer done()
	for b.Loop() {
		fresh, _, _ := parsers.SplitReply(text)
		parsers.ReadText(fresh, parsers.SourceBody)
	}
}
