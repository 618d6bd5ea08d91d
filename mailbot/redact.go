package mailbot

import (
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"time"

	"mailbot/ticketing"
)

// secretMark replaces a secret in the stored copy of a message that carried it.
const secretMark = "[RIMOSSO]"

// redactIfSecret keeps no copy of a message carrying credentials (values under #credenziali),
// a personal secret (#codice) or, on a case (ticketID), a credential mailbot sent on that case
// quoted back (a referent replying to the credentials mail), whoever sent it and whatever became
// of it: obeyed, refused as unauthenticated, matching no ticket, or a second mailbox's copy of a
// message already recorded.
// The recorded message is pointed at a copy with the secrets masked; blob (this copy's own
// file) and the file it replaces are removed once tx commits (a rollback leaves them, and the
// message is fetched again).
func (in *Intake) redactIfSecret(tx *ticketing.Tx, ticketID string, msg message, blob string) error {
	text := msg.text()
	if msg.an != nil && msg.an.Quoted != "" {
		text += "\n\n" + msg.an.Quoted
	}
	secrets := secretsIn(msg.text())
	if ticketID != "" {
		sent, err := sentSecretsIn(tx, ticketID, text)
		if err != nil {
			return err
		}
		secrets = append(secrets, sent...)
		slices.SortFunc(secrets, func(a, b string) int { return len(b) - len(a) })
	}
	if len(secrets) == 0 {
		return nil
	}
	env := msg.env
	for _, s := range secrets {
		text = strings.ReplaceAll(text, s, secretMark)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "From: %s\r\nSubject: %s\r\nMessage-ID: <%s>\r\nDate: %s\r\nX-Mailbot-Redacted: credentials removed\r\n"+
		"Content-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n", env.From, strings.ReplaceAll(env.Subject, "\n", " "),
		env.MessageID, env.Date.Format(time.RFC1123Z), text)
	sum, err := in.store.PutBlob([]byte(b.String()))
	if err != nil {
		return fmt.Errorf("store redacted copy: %w", err)
	}
	old, err := tx.MessageBlob(env.MessageID, env.Digest)
	if errors.Is(err, ticketing.ErrNotFound) {
		// Recorded under another identity (a quarantine of its own): failing here would stop
		// the mailbox, which is worse; say so loudly instead.
		in.log.Error("message carrying secrets not found to redact", "message_id", env.MessageID, "blob", blob)
		return nil
	}
	if err != nil {
		return fmt.Errorf("redact %s: %w", env.MessageID, err)
	}
	if err := tx.SetMessageBlob(env.MessageID, env.Digest, sum); err != nil {
		return err
	}
	for _, gone := range []string{old, blob} {
		if gone == "" || gone == sum {
			continue
		}
		tx.AfterCommit(func() {
			if err := in.store.RemoveBlob(gone); err != nil && !errors.Is(err, fs.ErrNotExist) {
				in.log.Warn("remove unredacted copy", "blob", gone, "err", err)
			}
		})
	}
	return nil
}

// secretsIn lists the secrets in a message's command lines, longest first so that masking one
// never leaves part of another.
func secretsIn(text string) []string {
	cmds, secret := parseCommands(text)
	var secrets []string
	if secret != "" {
		secrets = append(secrets, secret)
	}
	for _, c := range cmds {
		for _, v := range c.values {
			if v != "" {
				secrets = append(secrets, v)
			}
		}
	}
	slices.SortFunc(secrets, func(a, b string) int { return len(b) - len(a) })
	return secrets
}
