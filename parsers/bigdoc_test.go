package parsers

import (
	"bytes"
	"runtime"

	"encoding/base64"
	"mailbot/internal/bombs"
	"strings"
	"testing"
)

// TestBigAttachmentGoesToAPerson: an attachment over MaxDocumentBytes is not read (nor held in
// memory): it is listed as unreadable, with a reason a referent understands.
func TestBigAttachmentGoesToAPerson(t *testing.T) {
	big := base64.StdEncoding.EncodeToString(make([]byte, 3<<20))
	raw := "From: a@b.it\r\nTo: call.center@regione.veneto.it\r\nSubject: scansioni\r\nMessage-ID: <big@b.it>\r\n" +
		"Content-Type: multipart/mixed; boundary=X\r\n\r\n--X\r\nContent-Type: text/plain\r\n\r\nIn allegato.\r\n" +
		"--X\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"scansione.pdf\"\r\n" +
		"Content-Transfer-Encoding: base64\r\n\r\n" + big + "\r\n--X--\r\n"
	an, err := Analyze(strings.NewReader(raw), Limits{MaxDocumentBytes: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	if len(an.Unreadable) != 1 || an.Unreadable[0].Part != "scansione.pdf" || !strings.Contains(an.Unreadable[0].Reason, "operatore") {
		t.Fatalf("unreadable %+v", an.Unreadable)
	}
	if !strings.Contains(an.Text, "In allegato") {
		t.Errorf("the body was not read: %q", an.Text)
	}
}

// TestHugeBodyIsCut: a 39 MiB text body took 11 s and gigabytes (charset repair, quote and form
// detection go over all of it). Only the first MaxBodyTextBytes are read, the referent is told,
// and what the first part says still counts.
func TestHugeBodyIsCut(t *testing.T) {
	raw := bombs.HugeBody("referente@comune.venezia.it", "call.center@regione.veneto.it", "big@x.it", 16<<20)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	an, err := Analyze(bytes.NewReader(raw), Limits{})
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 128<<20 {
		t.Errorf("a %d MB body allocated %d MB", len(raw)>>20, alloc>>20)
	}
	if len(an.Text) > int(DefaultLimits.MaxBodyTextBytes) || !strings.Contains(an.Text, "Comune di Venezia") {
		t.Errorf("text of %d bytes", len(an.Text))
	}
	if len(an.Rejected) != 1 || !strings.Contains(an.Rejected[0].Reason, "solo la prima parte") {
		t.Errorf("rejected %+v", an.Rejected)
	}
}

// TestBigTextAttachment: an 8 MB .txt attachment ran into the reading deadline (label matching
// over every line) and kept its reader busy after it; its first lines are read, the rest not.
func TestBigTextAttachment(t *testing.T) {
	data := []byte("Esito: positivo\n" + strings.Repeat("Codice IPA: c_l736 - Denominazione: Comune di Venezia - nota\n", 8<<20/60))
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	forms, err := ReadDocument("note.txt", "text/plain", data, Limits{})
	runtime.ReadMemStats(&after)
	if err != nil || len(forms) == 0 || forms[0].Fields["collaudo.esito"] != "positivo" {
		t.Fatalf("forms %+v, err %v", forms, err)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<20 {
		t.Errorf("an 8 MB text file allocated %d MB", alloc>>20)
	}
}
