package mailbot

import (
	"fmt"
	"net/mail"
	"strings"
	"time"

	"mailbot/ticketing"
)

// DigestConfig addresses the daily digest. With no recipients there is no digest.
type DigestConfig struct {
	To []string `toml:"to"`
	At string   `toml:"at"` // HH:MM on working days, default 08:00

	at time.Duration // since midnight
}

// ReminderConfig sets when stalled cases are chased: referents after AfterDays working days of
// silence (per state in States; 0 there means never), at most Max times before the case is
// flagged stalled and handed to staff; staff when the Region sits on a case (Escalation).
type ReminderConfig struct {
	AfterDays   int              `toml:"after_days"`
	Max         int              `toml:"max"`
	OfficeHours string           `toml:"office_hours"` // "09:00-17:00"
	CheckEvery  Duration         `toml:"check_every"`
	States      map[string]int   `toml:"states"`
	Escalation  EscalationConfig `toml:"escalation"`

	officeStart, officeEnd time.Duration
}

// EscalationConfig sets after how many working days a case waiting on the Region goes to staff.
type EscalationConfig struct {
	AfterDays int            `toml:"after_days"`
	States    map[string]int `toml:"states"`
}

// CalendarConfig sets the working-day calendar. LocalHolidays are "MM-DD"; nil means Venice's
// 21 November, an empty list none.
type CalendarConfig struct {
	LocalHolidays []string `toml:"local_holidays"`

	cal *ticketing.Calendar
}

// WorkCalendar is the working-day calendar in the configured time zone.
func (c *Config) WorkCalendar() *ticketing.Calendar {
	if c.Calendar.cal == nil {
		loc := c.loc
		if loc == nil {
			loc, _ = time.LoadLocation("Europe/Rome")
		}
		c.Calendar.cal = ticketing.NewCalendar(loc, ticketing.MonthDay{Month: time.November, Day: 21})
	}
	return c.Calendar.cal
}

// remindAfter is how many working days of silence a state waits before a reminder (0: never).
func (c *Config) remindAfter(state string) int {
	if n, ok := c.Reminders.States[state]; ok {
		return n
	}
	return c.Reminders.AfterDays
}

// escalateAfter is how many working days the Region may sit on a state (0: never escalated).
func (c *Config) escalateAfter(state string) int {
	if n, ok := c.Reminders.Escalation.States[state]; ok {
		return n
	}
	return c.Reminders.Escalation.AfterDays
}

// inOfficeHours reports whether now is within office hours on a working day.
func (c *Config) inOfficeHours(now time.Time) bool {
	if !c.WorkCalendar().IsWorkingDay(now) {
		return false
	}
	t := now.In(c.WorkCalendar().Loc)
	since := time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute + time.Duration(t.Second())*time.Second
	return since >= c.Reminders.officeStart && since < c.Reminders.officeEnd
}

func (c *Config) completeSchedule() error {
	for i, a := range c.Digest.To {
		if _, err := mail.ParseAddress(a); err != nil {
			return fmt.Errorf("digest.to[%d]: not an address: %q", i, a)
		}
	}
	if c.Digest.At == "" {
		c.Digest.At = "08:00"
	}
	var err error
	if c.Digest.at, err = parseClock(c.Digest.At); err != nil {
		return fmt.Errorf("digest.at: %w", err)
	}

	r := &c.Reminders
	if r.AfterDays == 0 {
		r.AfterDays = 5
	}
	if r.Max == 0 {
		r.Max = 3
	}
	if r.AfterDays < 0 || r.Max < 0 {
		return fmt.Errorf("reminders: after_days and max must be positive")
	}
	if r.OfficeHours == "" {
		r.OfficeHours = "09:00-17:00"
	}
	from, to, ok := strings.Cut(r.OfficeHours, "-")
	if !ok {
		return fmt.Errorf("reminders.office_hours: want HH:MM-HH:MM, got %q", r.OfficeHours)
	}
	if r.officeStart, err = parseClock(strings.TrimSpace(from)); err != nil {
		return fmt.Errorf("reminders.office_hours: %w", err)
	}
	if r.officeEnd, err = parseClock(strings.TrimSpace(to)); err != nil {
		return fmt.Errorf("reminders.office_hours: %w", err)
	}
	if r.officeEnd <= r.officeStart {
		return fmt.Errorf("reminders.office_hours: %q ends before it starts", r.OfficeHours)
	}
	if r.CheckEvery.Duration == 0 {
		r.CheckEvery.Duration = 15 * time.Minute
	}
	if r.CheckEvery.Duration < time.Minute {
		return fmt.Errorf("reminders.check_every: at least 1m, got %s", r.CheckEvery.Duration)
	}
	if err := checkStates("reminders.states", r.States, ticketing.WaitingEnte); err != nil {
		return err
	}
	e := &r.Escalation
	if e.AfterDays == 0 {
		e.AfterDays = 3
	}
	if e.AfterDays < 0 {
		return fmt.Errorf("reminders.escalation.after_days: must be positive")
	}
	if err := checkStates("reminders.escalation.states", e.States, ticketing.WaitingRegione); err != nil {
		return err
	}

	local := c.Calendar.LocalHolidays
	if local == nil {
		local = []string{"11-21"} // Madonna della Salute, Venice
	}
	var mds []ticketing.MonthDay
	for i, s := range local {
		md, err := ticketing.ParseMonthDay(s)
		if err != nil {
			return fmt.Errorf("calendar.local_holidays[%d]: %w", i, err)
		}
		mds = append(mds, md)
	}
	c.Calendar.cal = ticketing.NewCalendar(c.loc, mds...)
	return nil
}

// checkStates accepts only states in which it is the given side's turn in some kind of case.
func checkStates(key string, states map[string]int, side string) error {
	for st, n := range states {
		if n < 0 {
			return fmt.Errorf("%s.%s: must be 0 (never) or more", key, st)
		}
		if ticketing.WaitingOn(ticketing.KindIntegration, st) != side && ticketing.WaitingOn(ticketing.KindQualification, st) != side {
			return fmt.Errorf("%s.%s: not a state waiting on the %s", key, st, side)
		}
	}
	return nil
}

// parseClock reads "HH:MM" as a time of day.
func parseClock(s string) (time.Duration, error) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, fmt.Errorf("want HH:MM, got %q", s)
	}
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute, nil
}
