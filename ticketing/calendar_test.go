package ticketing

import (
	"testing"
	"time"
	_ "time/tzdata"
)

func rome(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestEaster(t *testing.T) {
	for _, c := range []struct {
		year  int
		month time.Month
		day   int
	}{
		{2024, time.March, 31}, {2025, time.April, 20}, {2026, time.April, 5}, {2027, time.March, 28},
		{2028, time.April, 16}, {2038, time.April, 25}, {2000, time.April, 23}, {1818, time.March, 22},
	} {
		if m, d := Easter(c.year); m != c.month || d != c.day {
			t.Errorf("Easter(%d) = %s %d, want %s %d", c.year, m, d, c.month, c.day)
		}
	}
}

func TestIsWorkingDay(t *testing.T) {
	loc := rome(t)
	venice := NewCalendar(loc, MonthDay{time.November, 21})
	for _, c := range []struct {
		date string
		want bool
	}{
		{"2026-03-27", true},  // Friday
		{"2026-03-28", false}, // Saturday
		{"2026-03-29", false}, // Sunday, DST starts
		{"2026-04-06", false}, // Easter Monday 2026
		{"2027-03-29", false}, // Easter Monday 2027
		{"2027-03-30", true},
		{"2026-04-25", false}, // Saturday anyway
		{"2027-04-26", true},  // no bridge for a Sunday holiday
		{"2026-06-02", false},
		{"2026-08-14", true},
		{"2026-10-04", false}, // Sunday: and St Francis from 2026
		{"2027-10-04", false}, // Monday, St Francis
		{"2025-10-06", true},
		{"2024-10-04", true}, // before the law
		{"2026-11-20", true},
		{"2026-11-21", false}, // Saturday
		{"2025-11-21", false}, // Friday, Madonna della Salute in Venice
		{"2026-12-08", false}, // Tuesday
		{"2026-12-24", true},
		{"2026-12-25", false},
		{"2026-12-28", true},
		{"2027-01-06", false},
	} {
		d, _ := time.ParseInLocation("2006-01-02", c.date, loc)
		y, m, day := d.Date()
		// Just after midnight and late in the evening too: the date is the Rome one, not UTC's.
		for _, at := range []time.Time{time.Date(y, m, day, 10, 0, 0, 0, loc), time.Date(y, m, day, 23, 30, 0, 0, loc), time.Date(y, m, day, 0, 30, 0, 0, loc)} {
			if got := venice.IsWorkingDay(at); got != c.want {
				t.Errorf("IsWorkingDay(%s) = %v, want %v", at, got, c.want)
			}
		}
	}
	if !NewCalendar(loc).IsWorkingDay(time.Date(2025, 11, 21, 10, 0, 0, 0, loc)) {
		t.Error("21 November is a working day without the local holiday")
	}
}

func TestAddWorkingDays(t *testing.T) {
	loc := rome(t)
	cal := NewCalendar(loc, MonthDay{time.November, 21})
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, c := range []struct {
		from string
		n    int
		want string
	}{
		{"2026-03-23 10:00", 5, "2026-03-30"}, // Monday + 5 across a weekend and DST
		{"2026-03-27 16:59", 1, "2026-03-30"}, // Friday → Monday
		{"2026-03-28 11:00", 1, "2026-03-30"}, // from a Saturday
		{"2026-04-01 09:00", 3, "2026-04-07"}, // Easter Monday skipped
		{"2027-03-24 09:00", 3, "2027-03-30"}, // Easter Monday 2027 skipped
		{"2026-12-04 09:00", 2, "2026-12-09"}, // 8 December skipped
		{"2025-11-19 09:00", 3, "2025-11-25"}, // 21 November (local) skipped
		{"2026-10-21 09:00", 5, "2026-10-28"}, // DST ends on 25 October
		{"2026-12-23 09:00", 2, "2026-12-28"},
		{"2026-05-05 00:30", 0, "2026-05-05"},
	} {
		got := cal.AddWorkingDays(at(c.from), c.n)
		if got.Format("2006-01-02 15:04") != c.want+" 00:00" || got.Location() != loc {
			t.Errorf("AddWorkingDays(%s, %d) = %s, want %s 00:00 Rome", c.from, c.n, got, c.want)
		}
		if c.n > 0 {
			if n := cal.WorkingDaysBetween(at(c.from), got); n != c.n {
				t.Errorf("WorkingDaysBetween(%s, %s) = %d, want %d", c.from, got, n, c.n)
			}
			if n := cal.WorkingDaysBetween(at(c.from), got.Add(-time.Minute)); n != c.n-1 {
				t.Errorf("WorkingDaysBetween(%s, a minute before %s) = %d, want %d", c.from, got, n, c.n-1)
			}
		}
	}
	if n := cal.WorkingDaysBetween(at("2026-03-30 10:00"), at("2026-03-20 10:00")); n != 0 {
		t.Errorf("backwards count = %d, want 0", n)
	}
	if got := cal.PrevWorkingDay(at("2026-04-07 08:00")); got.Format("2006-01-02") != "2026-04-03" {
		t.Errorf("PrevWorkingDay(Tue after Easter) = %s, want Friday 2026-04-03", got)
	}
}

func TestParseMonthDay(t *testing.T) {
	md, err := ParseMonthDay("11-21")
	if err != nil || md != (MonthDay{time.November, 21}) || md.String() != "11-21" {
		t.Errorf("ParseMonthDay(11-21) = %v, %v", md, err)
	}
	for _, bad := range []string{"21-11", "11/21", "", "02-30"} {
		if _, err := ParseMonthDay(bad); err == nil {
			t.Errorf("ParseMonthDay(%q) accepted", bad)
		}
	}
}
