package mailbot

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"mailbot/templates"
	"mailbot/templates/say"
	"mailbot/ticketing"
)

// QueueSignInMail queues, in tx, the web console's one-time sign-in link to a staff address,
// through the outbox like every other mail. Once sent, the outbox keeps the mail with the link
// masked. An address not on the staff list gets nothing.
func (in *Intake) QueueSignInMail(tx *ticketing.Tx, to, link string, expires, now time.Time) error {
	if !in.cfg.IsStaff(to) {
		return fmt.Errorf("sign-in mail: %s is not a staff address", to)
	}
	data := struct{ Link, Expires string }{link, expires.In(in.cfg.Location()).Format(say.Text("signin.expires_layout"))}
	body, err := templates.Render("console_link", data)
	if err != nil {
		return err
	}
	data.Link = redactionMark
	red, err := templates.Render("console_link", data)
	if err != nil {
		return err
	}
	if strings.Contains(red.Text+red.HTML, link) {
		return fmt.Errorf("sign-in mail: link left in the redacted copy")
	}
	out := outgoing{Kind: "console_link", To: []string{to}, Subject: say.Text("signin.subject"),
		Body: body, Redacted: &red}
	if _, err := in.post.queue(tx, out, now); err != nil {
		return err
	}
	return nil
}

// CredentialKeys are the keys a credentials set may have (the web console's form shows them).
func CredentialKeys() []string { return slices.Clone(credentialKeys) }
