package parsers

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"mailbot/internal/bombs"
)

// TestPDFObjectLoop: a PDF whose object streams refer to themselves is read as damaged at once,
// never handed to ledongthuc/pdf, whose resolve would recurse until Go aborts the process.
func TestPDFObjectLoop(t *testing.T) {
	self := bombs.SelfRefPDF()
	// The same file, its catalog in object stream 1 (a page tree, not in a stream), and object
	// stream 1's /N kept in object stream 1.
	viaN := bytes.Replace(self, []byte("<< /Type /Pages /Count 0 /Kids [] >>"), []byte("<< /Type /ObjStm /N 3 0 R /First 4>>"), 1)
	viaN = bytes.Replace(viaN, []byte{2, 0, 3, 0, 0}, []byte{2, 0, 1, 0, 0}, 1)
	for name, data := range map[string][]byte{"self": self, "dictionary": viaN} {
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			forms, err := ReadDocument("modulo.pdf", "application/pdf", data, Limits{DocumentTimeout: time.Minute})
			if !errors.Is(err, ErrUnreadable) || !errors.Is(err, errPDFObjectLoop) || len(forms) != 0 {
				t.Fatalf("got %v, %v; want a damaged document (object loop)", forms, err)
			}
			if d := time.Since(start); d > 10*time.Second {
				t.Errorf("took %s: the guard did not stop the reading", d)
			}
		})
	}
	if len(self) > 320 {
		t.Errorf("the self-referencing PDF is %d bytes, the issue's is about 300", len(self))
	}
}

// FuzzPDFCheckObjRefs: the guard never panics and never refuses a file with no cross-reference
// stream.
func FuzzPDFCheckObjRefs(f *testing.F) {
	f.Add(bombs.SelfRefPDF())
	f.Add(bombs.InflatePDF(1 << 10))
	f.Fuzz(func(t *testing.T, data []byte) {
		err := pdfCheckObjRefs(data, 1000)
		if err != nil && !bytes.Contains(data, []byte("/XRef")) {
			t.Fatalf("refused a file without a cross-reference stream: %v", err)
		}
	})
}
