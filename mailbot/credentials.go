package mailbot

import (
	"errors"
	"slices"
	"sort"
	"strings"
	"time"

	"mailbot/templates"
	"mailbot/templates/say"
	"mailbot/ticketing"
)

// KindCredentials is the outbox kind of a credentials mail: its stored copy is redacted once sent.
const KindCredentials = "credentials"

// credentialKeys are the keys of a credentials values file or #credenziali block.
var credentialKeys = []string{"codice_ipa", "password_mypay", "password_mypivot", "endpoint_mypay", "endpoint_mypivot", "note"}

// credentialSteps says which state a credentials mail belongs to and where it moves the case.
var credentialSteps = map[string][2]string{
	ticketing.EnvCollaudo:  {ticketing.StateTestSetup, ticketing.StateTesting},
	ticketing.EnvEsercizio: {ticketing.StateProductionSetup, ticketing.StateProductionCheck},
}

// credentialsData is what the credentials template sees.
type credentialsData struct {
	TicketID string
	Env      string
	Ente     string
	Values   map[string]string
	Collaudo bool
	IPs      []string // production: the caller IPs enabled, as staff confirmed them
}

// CheckCredentials validates a credentials set: every key known, codice_ipa and at least one
// password present. The error names the key.
func CheckCredentials(values map[string]string) error {
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !slices.Contains(credentialKeys, k) {
			return errors.New(say.Text("credentials.unknown_key", k, strings.Join(credentialKeys, ", ")))
		}
	}
	if strings.TrimSpace(values["codice_ipa"]) == "" {
		return errors.New(say.Text("credentials.no_ipa"))
	}
	if strings.TrimSpace(values["password_mypay"]) == "" && strings.TrimSpace(values["password_mypivot"]) == "" {
		return errors.New(say.Text("credentials.no_password"))
	}
	return nil
}

// SendCredentials queues the test or production credentials to a ticket's referent and moves
// the case on. The mail is stored twice until sent: as sent, and with the passwords masked; once
// the SMTP server accepts it only the masked copy remains. Nothing of the values reaches events
// or logs. A refusal (wrong state, bad values) wraps errRefused and changes nothing.
func (in *Intake) SendCredentials(tx *ticketing.Tx, tk *ticketing.Ticket, env string, values map[string]string, by string, now time.Time) error {
	step, ok := credentialSteps[env]
	if !ok {
		return refusal("refuse.credentials_env", env)
	}
	if tk.Kind != ticketing.KindIntegration || tk.State != step[0] {
		return refusal("refuse.credentials_state", tk.State, env, step[0])
	}
	if err := CheckCredentials(values); err != nil {
		return refusal("refuse.error", err)
	}
	data := credentialsData{TicketID: tk.ID, Env: env, Ente: tk.Ente.Name, Values: values, Collaudo: env == ticketing.EnvCollaudo}
	if env == ticketing.EnvEsercizio {
		// Production opens only to caller IPs a person confirmed (proposals.go).
		ips, err := productionIPsReady(tx, tk)
		if err != nil {
			return err
		}
		data.IPs = ips
	}
	body, err := templates.Render("credentials", data)
	if err != nil {
		return err
	}
	masked := map[string]string{}
	for k, v := range values {
		if strings.HasPrefix(k, "password_") && v != "" {
			v = redactionMark
		}
		masked[k] = v
	}
	data.Values = masked
	redacted, err := templates.Render("credentials", data)
	if err != nil {
		return err
	}
	out := outgoing{TicketID: tk.ID, Kind: KindCredentials, To: []string{tk.Requester},
		Subject: say.Text("credentials.subject", env, tk.ID), Body: body}
	out.Redacted = &redacted
	if _, err := in.post.queue(tx, out, now); err != nil {
		return err
	}
	if err := rememberSecrets(tx, tk.ID, values, now); err != nil {
		return err
	}
	return tx.SetState(tk.ID, step[1], by, say.Text("credentials.state", env), now)
}
