package ticketing

import (
	"fmt"
	"time"
)

// MonthDay is a holiday that falls on the same day every year, such as a patron saint's day.
type MonthDay struct {
	Month time.Month
	Day   int
}

// ParseMonthDay reads "MM-DD" (e.g. "11-21").
func ParseMonthDay(s string) (MonthDay, error) {
	t, err := time.Parse("01-02", s)
	if err != nil {
		return MonthDay{}, fmt.Errorf("want MM-DD, got %q", s)
	}
	return MonthDay{t.Month(), t.Day()}, nil
}

func (md MonthDay) String() string { return fmt.Sprintf("%02d-%02d", int(md.Month), md.Day) }

// Calendar tells Italian working days in a time zone (Europe/Rome): weekends, the national
// holidays and the configured local ones are off. Days are calendar dates in Loc, so a count
// of working days is unaffected by daylight-saving changes.
type Calendar struct {
	Loc   *time.Location
	Local []MonthDay
}

// NewCalendar is a calendar in loc with the given local holidays.
func NewCalendar(loc *time.Location, local ...MonthDay) *Calendar {
	return &Calendar{Loc: loc, Local: local}
}

// Easter is the date of Easter Sunday in the Gregorian calendar (the anonymous algorithm,
// also known as Meeus/Jones/Butcher).
func Easter(year int) (time.Month, int) {
	a := year % 19
	b, c := year/100, year%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return time.Month(month), day
}

// nationalHolidays are the fixed-date ones (L. 260/1949 and later changes).
var nationalHolidays = []struct {
	md   MonthDay
	name string
	from int // first year it applies, 0 for always
}{
	{MonthDay{time.January, 1}, "Capodanno", 0},
	{MonthDay{time.January, 6}, "Epifania", 0},
	{MonthDay{time.April, 25}, "Festa della Liberazione", 0},
	{MonthDay{time.May, 1}, "Festa del Lavoro", 0},
	{MonthDay{time.June, 2}, "Festa della Repubblica", 0},
	{MonthDay{time.August, 15}, "Ferragosto", 0},
	{MonthDay{time.October, 4}, "San Francesco d'Assisi", 2026}, // L. 151/2025
	{MonthDay{time.November, 1}, "Ognissanti", 0},
	{MonthDay{time.December, 8}, "Immacolata Concezione", 0},
	{MonthDay{time.December, 25}, "Natale", 0},
	{MonthDay{time.December, 26}, "Santo Stefano", 0},
}

// Holiday names the holiday on a date, or returns "" when it is none (weekends aside).
func (c *Calendar) Holiday(year int, month time.Month, day int) string {
	for _, h := range nationalHolidays {
		if h.md.Month == month && h.md.Day == day && year >= h.from {
			return h.name
		}
	}
	em, ed := Easter(year)
	easter := time.Date(year, em, ed, 12, 0, 0, 0, time.UTC)
	if em == month && ed == day {
		return "Pasqua"
	}
	if mon := easter.AddDate(0, 0, 1); mon.Month() == month && mon.Day() == day {
		return "Lunedì dell'Angelo"
	}
	for _, l := range c.Local {
		if l.Month == month && l.Day == day {
			return "festa locale"
		}
	}
	return ""
}

// date is the calendar date of t in the calendar's zone, as noon UTC: arithmetic on it by
// whole days never meets a daylight-saving change.
func (c *Calendar) date(t time.Time) time.Time {
	y, m, d := t.In(c.Loc).Date()
	return time.Date(y, m, d, 12, 0, 0, 0, time.UTC)
}

func (c *Calendar) isWorking(d time.Time) bool {
	if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return false
	}
	return c.Holiday(d.Year(), d.Month(), d.Day()) == ""
}

// IsWorkingDay reports whether the date of t (in the calendar's zone) is a working day.
func (c *Calendar) IsWorkingDay(t time.Time) bool { return c.isWorking(c.date(t)) }

// AddWorkingDays returns the start (00:00 in the calendar's zone) of the n-th working day after
// the date of t; n = 0 gives the start of t's own date.
func (c *Calendar) AddWorkingDays(t time.Time, n int) time.Time {
	d := c.date(t)
	for n > 0 {
		d = d.AddDate(0, 0, 1)
		if c.isWorking(d) {
			n--
		}
	}
	return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, c.Loc)
}

// WorkingDaysBetween counts the working days after the date of from up to and including the
// date of to: how many whole working days have passed. It is 0 when to is not after from.
func (c *Calendar) WorkingDaysBetween(from, to time.Time) int {
	d, end := c.date(from), c.date(to)
	n := 0
	for d.Before(end) {
		d = d.AddDate(0, 0, 1)
		if c.isWorking(d) {
			n++
		}
	}
	return n
}

// PrevWorkingDay returns the start of the last working day before the date of t.
func (c *Calendar) PrevWorkingDay(t time.Time) time.Time {
	d := c.date(t)
	for {
		d = d.AddDate(0, 0, -1)
		if c.isWorking(d) {
			return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, c.Loc)
		}
	}
}
