package ticketing

import (
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"mailbot/templates/say"
)

// Conditions that code acts on are kinds, stored in their own columns; the texts beside them are
// for people and may be reworded without changing what mailbot does. The kind columns carry no
// CHECK constraint, so adding a kind is a constant here and no migration; the Go side refuses a
// kind it does not know.

// FlagKind says why a case waits for a person.
type FlagKind string

// Kinds of flag. FlagNone is a case without a flag.
const (
	FlagNone       FlagKind = ""
	FlagStalled    FlagKind = "stalled"    // the ente stayed silent after every reminder
	FlagChecking   FlagKind = "checking"   // form values read without confidence or in conflict
	FlagUnreadable FlagKind = "unreadable" // an attachment mailbot cannot read
	FlagHeld       FlagKind = "held"       // an automatic reply held back by an hourly cap
	FlagStranger   FlagKind = "stranger"   // mail from a sender the case does not name
	FlagStaff      FlagKind = "staff"      // a staff member's mark (#segnala)
	FlagUnclear    FlagKind = "unclear"    // a referent's message mailbot did not understand
	FlagUntrusted  FlagKind = "untrusted"  // a message whose sender's identity did not hold
	FlagProposal   FlagKind = "proposal"   // a value from mail (IBAN, PEC, caller IPs…) waits for staff to confirm it
)

// flagLabels names each kind for people (keys of templates/say/sentences.txt), e.g. in the
// console's filter.
var flagLabels = map[FlagKind]string{
	FlagStalled:    "flag.stalled",
	FlagChecking:   "flag.checking",
	FlagUnreadable: "flag.unreadable",
	FlagHeld:       "flag.held",
	FlagStranger:   "flag.stranger",
	FlagStaff:      "flag.staff",
	FlagUnclear:    "flag.unclear",
	FlagUntrusted:  "flag.untrusted",
	FlagProposal:   "flag.proposal",
}

// FlagKinds lists the known kinds of flag, in a stable order.
func FlagKinds() []FlagKind {
	ks := make([]FlagKind, 0, len(flagLabels))
	for k := range flagLabels {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// Label names the kind for people; a kind from a newer version shows as itself.
func (k FlagKind) Label() string {
	if l, ok := flagLabels[k]; ok {
		return say.Text(l)
	}
	return string(k)
}

// SetFlag marks a ticket for a person's attention: kind is what code acts on, text what people
// read (it is recorded as an event too).
func (t *Tx) SetFlag(id string, kind FlagKind, text, by string, now time.Time) error {
	if _, ok := flagLabels[kind]; !ok {
		return fmt.Errorf("flag %s: unknown kind %q", id, kind)
	}
	if text == "" {
		text = kind.Label()
	}
	if _, err := t.exec("ticket-set-flag", string(kind), text, ts(now), id); err != nil {
		return err
	}
	return t.AddEvent(id, Event{At: now, Type: EventFlag, By: by, Text: text})
}

// ClearFlag takes a ticket's flag off; why, when given, is recorded as an event.
func (t *Tx) ClearFlag(id, by, why string, now time.Time) error {
	if _, err := t.exec("ticket-set-flag", string(FlagNone), "", ts(now), id); err != nil {
		return err
	}
	if why == "" {
		return nil
	}
	return t.AddEvent(id, Event{At: now, Type: EventFlag, By: by, Text: why})
}

// QuarantineKind says why a message is held outside any case.
type QuarantineKind string

// Kinds of quarantine. QuarantineNone is a message not held.
const (
	QuarantineNone           QuarantineKind = ""
	QuarantineUnreadable     QuarantineKind = "unreadable"      // the message cannot be parsed
	QuarantineAutomatic      QuarantineKind = "automatic"       // automatic mail matching no case
	QuarantineLoop           QuarantineKind = "loop"            // our loop header on mail we did not send
	QuarantineOversize       QuarantineKind = "oversize"        // over the configured size limit
	QuarantineStaffUnmatched QuarantineKind = "staff_unmatched" // a staff member's mail naming no case
	QuarantineUnanswerable   QuarantineKind = "unanswerable"    // the sender's address cannot be answered
	QuarantineUnrecorded     QuarantineKind = "unrecorded"      // recording failed attempt after attempt
	QuarantineDismissed      QuarantineKind = "dismissed"       // a person took it off the list
	QuarantineOther          QuarantineKind = "other"           // held before kinds existed, reason unrecognised
)

var quarantineKinds = []QuarantineKind{QuarantineUnreadable, QuarantineAutomatic, QuarantineLoop, QuarantineOversize,
	QuarantineStaffUnmatched, QuarantineUnanswerable, QuarantineUnrecorded, QuarantineDismissed, QuarantineOther}

// checkQuarantine refuses a quarantined message without a known kind, or a kind without a reason.
func checkQuarantine(m *Message) error {
	if m.QuarantineKind == QuarantineNone && m.Quarantine == "" {
		return nil
	}
	if !slices.Contains(quarantineKinds, m.QuarantineKind) || m.Quarantine == "" {
		return fmt.Errorf("message %s: quarantine kind %q with reason %q", m.MessageID, m.QuarantineKind, m.Quarantine)
	}
	return nil
}

// Kinds of security event (Event.Kind of an EventSecurity).
const (
	// SecurityRefusedWarned: a message's staff commands were refused (Count of them) and staff
	// were warned; no other warning for the ticket within Window.
	SecurityRefusedWarned = "refused_warned"
	// SecurityRefusedQuiet: commands refused (Count) while a warning sent within Window stands.
	SecurityRefusedQuiet = "refused_quiet"
	// SecurityUntrusted: a message not believed (Reply-To only, DMARC or aligned DKIM failing).
	SecurityUntrusted = "untrusted"
)

// LimitedNoticeHeld (Event.Kind of an EventLimited): a notice to staff about the case not
// mailed, over the hourly cap; the next notice counts them.
const LimitedNoticeHeld = "notice_held"

// LastEvent finds the latest event of a type and kind on a ticket; found is false when there is
// none.
func (t *Tx) LastEvent(ticketID, typ, kind string) (id int64, at time.Time, found bool, err error) {
	var s string
	err = t.row("event-last-of-kind", ticketID, typ, kind).Scan(&id, &s)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, time.Time{}, false, nil
	}
	if err != nil {
		return 0, time.Time{}, false, fmt.Errorf("last %s/%s event of %s: %w", typ, kind, ticketID, err)
	}
	return id, parseTS(s), true, nil
}

// CountEventsAfter counts the events of a type and kind on a ticket recorded after the event
// afterID.
func (t *Tx) CountEventsAfter(ticketID, typ, kind string, afterID int64) (int, error) {
	var n int
	if err := t.row("event-count-after-of-kind", ticketID, typ, kind, afterID).Scan(&n); err != nil {
		return 0, fmt.Errorf("count %s/%s events of %s: %w", typ, kind, ticketID, err)
	}
	return n, nil
}

// CountEventsSince counts the events of a type and kind on a ticket recorded at since or later:
// messages fetched together are recorded in one transaction at one instant, so events that
// followed the one at since may bear its very time.
func (t *Tx) CountEventsSince(ticketID, typ, kind string, since time.Time) (int, error) {
	var n int
	if err := t.row("event-count-since-of-kind", ticketID, typ, kind, ts(since)).Scan(&n); err != nil {
		return 0, fmt.Errorf("count %s/%s events of %s: %w", typ, kind, ticketID, err)
	}
	return n, nil
}
