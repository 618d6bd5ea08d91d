package parsers

import (
	"bytes"
	"net/mail"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/emersion/go-message"
)

// sameAsTwoReads checks that a Message read once gives what ReadEnvelope and AnalyzeWith give
// reading raw each from its start: the same envelope (the stored digest first) or the same
// error, and the same analysis.
func sameAsTwoReads(t *testing.T, raw []byte, lim Limits) {
	t.Helper()
	want, werr := ReadEnvelope(bytes.NewReader(raw))
	m, err := ReadMessage(raw)
	if (err == nil) != (werr == nil) || err != nil && err.Error() != werr.Error() {
		t.Fatalf("ReadMessage error %v, ReadEnvelope's %v", err, werr)
	}
	if err != nil {
		return
	}
	if got := m.Envelope(); !reflect.DeepEqual(got, want) {
		t.Fatalf("envelope\n%+v\nwant\n%+v", got, want)
	}
	wantA, werr := AnalyzeWith(bytes.NewReader(raw), lim, InProcess)
	gotA, err := m.Analyze(lim, InProcess)
	if (err == nil) != (werr == nil) || err != nil && err.Error() != werr.Error() {
		t.Fatalf("Analyze error %v, AnalyzeWith's %v", err, werr)
	}
	if !reflect.DeepEqual(gotA, wantA) {
		t.Fatalf("analysis\n%+v\nwant\n%+v", gotA, wantA)
	}
}

// TestReadMessageAsTwoReads: every fixture, whole and under a cap that cuts it (or its header).
func TestReadMessageAsTwoReads(t *testing.T) {
	files, err := filepath.Glob("../testdata/mail/*.eml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures in ../testdata/mail: %v", err)
	}
	for _, p := range files {
		raw, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(filepath.Base(p), func(t *testing.T) {
			for _, max := range []int64{0, int64(len(raw)), int64(len(raw)) - 1, int64(len(raw)) / 2, 200, 1} {
				sameAsTwoReads(t, raw, Limits{MaxMessageBytes: max})
			}
		})
	}
}

func FuzzReadMessage(f *testing.F) {
	files, _ := filepath.Glob("../testdata/mail/*.eml")
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		if len(b) < 16<<10 {
			f.Add(b, uint16(0))
		}
	}
	f.Add([]byte("From a@b.it\r\nFrom: a@b.it\r\nSubject: x\r\n\r\nbody"), uint16(30))
	f.Add([]byte("Subject: x"), uint16(0))
	f.Fuzz(func(t *testing.T, raw []byte, max uint16) {
		lim := Limits{MaxParts: 20, MaxDepth: 4, MaxMessageBytes: 1 << 20, DocumentTimeout: time.Second}
		if max > 0 {
			lim.MaxMessageBytes = int64(max)
		}
		sameAsTwoReads(t, raw, lim)
	})
}

// FuzzHeaderParams: a part's Content-Type and Content-Disposition parsed once a value answer as
// go-message's parse of each, asked first or again.
func FuzzHeaderParams(f *testing.F) {
	f.Add(`application/pdf; name="lettera.pdf"`, `attachment; filename="lettera.pdf"`)
	f.Add(`multipart/mixed; boundary="x"; charset=`, `inline`)
	f.Add(`text/plain; charset="=?utf-8?q?x?="`, ``)
	f.Add(``, `attachment; filename*=UTF-8''modulo%20firmato.pdf`)
	f.Fuzz(func(t *testing.T, ct, cd string) {
		var h message.Header
		if ct != "" {
			h.Set("Content-Type", ct)
		}
		if cd != "" {
			h.Set("Content-Disposition", cd)
		}
		an := &analyzer{}
		for range 2 {
			for _, field := range []string{"Content-Type", "Content-Disposition"} {
				v, p, err := an.headerParams(h, field)
				wv, wp, werr := h.ContentType()
				if field == "Content-Disposition" {
					wv, wp, werr = h.ContentDisposition()
				}
				if v != wv || !reflect.DeepEqual(p, wp) || (err == nil) != (werr == nil) || err != nil && err.Error() != werr.Error() {
					t.Fatalf("%s: %q %v %v, want %q %v %v", field, v, p, err, wv, wp, werr)
				}
			}
		}
	})
}

// FuzzParseDate holds parseDate to mail.ParseDate.
func FuzzParseDate(f *testing.F) {
	for _, v := range []string{"Mon, 07 Dec 2026 12:01:01 +0000", "Mon, 7 Dec 2026 12:01:01 +0100", "7 Dec 2026 12:01 -0000",
		"Tue, 1 Jul 2003 10:52:37 +0200 (CEST)", "Fri, 21 Nov 1997 09:55:06 -0600", "Thu, 20 Nov 1997 09:55:06 MDT",
		"Mon, 07 Dec 26 12:01 +0000", "  Mon, 07 Dec 2026 12:01:01 +0000", "Mon, 31 Feb 2026 12:01:01 +0000",
		"Xyz, 07 Dec 2026 12:01:01 +0000", "Mon, 07 Dec 2026 12:01:01 +00000", "Mon,07 Dec 2026 12:01:01 +0000"} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v string) {
		got, err := parseDate(v)
		want, werr := mail.ParseDate(v)
		if (err == nil) != (werr == nil) || !reflect.DeepEqual(got, want) {
			t.Fatalf("parseDate(%q) = %v, %v; mail.ParseDate: %v, %v", v, got, err, want, werr)
		}
	})
}
