package mailbot

import (
	"fmt"
	"slices"
	"sync/atomic"
)

// staffList is the staff list a running daemon uses: [staff] addresses as loaded, replaced
// whole on reload (SIGHUP) while workers and the console read it.
type staffList struct{ v atomic.Pointer[[]string] }

// shareStaff makes the staff list reloadable; called by NewDaemon, before the configuration is
// shared between goroutines.
func (c *Config) shareStaff() {
	if c.staff == nil {
		c.staff = &staffList{}
		list := slices.Clone(c.Staff.Addresses)
		c.staff.v.Store(&list)
	}
}

// StaffAddresses is the staff list now: as loaded, or as last reloaded. Callers must not
// modify it.
func (c *Config) StaffAddresses() []string {
	if c.staff != nil {
		return *c.staff.v.Load()
	}
	return c.Staff.Addresses
}

// ReloadStaff reads the configuration file at path again and takes its staff list (every other
// key needs a restart); it returns the addresses no longer on it. A file that does not load
// changes nothing.
func (c *Config) ReloadStaff(path string) (removed []string, err error) {
	if c.staff == nil {
		return nil, fmt.Errorf("reload staff: this configuration is not shared by a daemon")
	}
	fresh, err := LoadConfig(path)
	if err != nil {
		return nil, err
	}
	list := slices.Clone(fresh.Staff.Addresses)
	old := c.staff.v.Swap(&list)
	for _, a := range *old {
		if !slices.Contains(list, a) {
			removed = append(removed, a)
		}
	}
	return removed, nil
}
