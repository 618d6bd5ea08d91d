package parsers

import (
	"encoding/base64"
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
