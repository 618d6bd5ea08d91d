package mailbot

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"mailbot/mailaddr"
	"mailbot/ticketing"
)

// Who a case may be assigned to: a staff member (their address, or the part before the @ when
// one staff address has it: "mario.rossi"), the Region as a whole, or nobody. Anything else, a
// typo or an outside address, would receive staff notices and escalations: it is refused.

// AssigneeRegione is the assignee that stands for the Region's office as a whole.
const AssigneeRegione = "regione"

// ResolveAssignee turns what a person typed into an assignee ("" for nobody); ok is false when
// it names nobody on the staff list.
func (c *Config) ResolveAssignee(s string) (assignee string, ok bool) {
	s = mailaddr.Norm(s).String()
	switch s {
	case "nessuno", "-":
		return "", true
	case AssigneeRegione:
		return AssigneeRegione, true
	}
	staff := c.StaffAddresses()
	if slices.Contains(staff, s) {
		return s, true
	}
	var found []string
	for _, a := range staff {
		if local, _, _ := strings.Cut(a, "@"); local == s {
			found = append(found, a)
		}
	}
	if len(found) == 1 {
		return found[0], true
	}
	return "", false
}

// ValidAssignees lists what ResolveAssignee accepts, for a refusal.
func (c *Config) ValidAssignees() string {
	return strings.Join(append(slices.Clone(c.StaffAddresses()), AssigneeRegione, "nessuno"), ", ")
}

// ResolveAssignees rewrites the assignees recorded before assignment was checked: each that
// names one staff member becomes their address; those that name nobody are returned, left as
// they are for a person to reassign.
func ResolveAssignees(ctx context.Context, store *ticketing.Store, cfg *Config) (unknown []string, err error) {
	err = store.Update(ctx, func(tx *ticketing.Tx) error {
		unknown = nil
		list, err := tx.Assignees()
		if err != nil {
			return err
		}
		for _, a := range list {
			to, ok := cfg.ResolveAssignee(a)
			switch {
			case !ok:
				unknown = append(unknown, a)
			case to != a && to != "":
				if err := tx.RenameAssignee(a, to); err != nil {
					return fmt.Errorf("resolve assignee %q: %w", a, err)
				}
			}
		}
		return nil
	})
	return unknown, err
}
