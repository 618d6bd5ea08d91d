package mailbot

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const scheduleBaseConfig = `
data_dir = "DIR"
reply_from = "call.center@regione.veneto.it"
[[mailbox]]
name = "callcenter"
address = "call.center@regione.veneto.it"
imap_addr = "127.0.0.1:993"
username = "u"
password = "p"
[smtp]
addr = "127.0.0.1:587"
`

func loadScheduleConfig(t *testing.T, extra string) (*Config, error) {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "mailbot.toml")
	body := strings.Replace(scheduleBaseConfig, "DIR", filepath.ToSlash(dir), 1) + extra
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return LoadConfig(path)
}

func TestScheduleConfigDefaults(t *testing.T) {
	c, err := loadScheduleConfig(t, "")
	if err != nil {
		t.Fatal(err)
	}
	r := c.Reminders
	if r.AfterDays != 5 || r.Max != 3 || r.Escalation.AfterDays != 3 || r.CheckEvery.Duration != 15*time.Minute ||
		c.Digest.At != "08:00" || c.remindAfter("testing") != 5 || c.escalateAfter("test_setup") != 3 {
		t.Errorf("defaults: %+v digest %+v", r, c.Digest)
	}
	rome := c.Location()
	if c.WorkCalendar().IsWorkingDay(time.Date(2025, 11, 21, 10, 0, 0, 0, rome)) {
		t.Error("21 November is not Venice's holiday by default")
	}
	if !c.inOfficeHours(time.Date(2026, 3, 30, 9, 0, 0, 0, rome)) || c.inOfficeHours(time.Date(2026, 3, 30, 17, 0, 0, 0, rome)) {
		t.Error("office hours are not 09:00-17:00 by default")
	}
}

func TestScheduleConfigKeys(t *testing.T) {
	c, err := loadScheduleConfig(t, `
[digest]
to = ["cluster.innovazione@regione.veneto.it"]
at = "07:45"
[reminders]
after_days = 4
max = 2
office_hours = "08:30-13:00"
check_every = "5m"
[reminders.states]
testing = 10
production_check = 0
[reminders.escalation]
after_days = 2
[reminders.escalation.states]
under_review = 5
[calendar]
local_holidays = []
`)
	if err != nil {
		t.Fatal(err)
	}
	rome := c.Location()
	if c.remindAfter("testing") != 10 || c.remindAfter("production_check") != 0 || c.remindAfter("awaiting_documents") != 4 ||
		c.escalateAfter("under_review") != 5 || c.escalateAfter("production_setup") != 2 || c.Reminders.Max != 2 {
		t.Errorf("thresholds: %+v", c.Reminders)
	}
	if !c.WorkCalendar().IsWorkingDay(time.Date(2025, 11, 21, 10, 0, 0, 0, rome)) {
		t.Error("local_holidays = [] still has 21 November")
	}
	if !c.inOfficeHours(time.Date(2026, 3, 30, 8, 30, 0, 0, rome)) || c.inOfficeHours(time.Date(2026, 3, 30, 13, 0, 0, 0, rome)) {
		t.Error("office_hours not applied")
	}
	if c.Digest.at != 7*time.Hour+45*time.Minute {
		t.Errorf("digest.at = %s", c.Digest.at)
	}
}

func TestScheduleConfigErrors(t *testing.T) {
	for _, c := range []struct{ toml, want string }{
		{"[digest]\nat = \"8\"\n", "digest.at"},
		{"[digest]\nto = [\"nobody\"]\n", "digest.to[0]"},
		{"[reminders]\noffice_hours = \"17:00-09:00\"\n", "reminders.office_hours"},
		{"[reminders]\noffice_hours = \"9-17\"\n", "reminders.office_hours"},
		{"[reminders]\nmax = -1\n", "reminders"},
		{"[reminders.states]\ntest_setup = 4\n", "reminders.states.test_setup"},
		{"[reminders.states]\nbogus = 4\n", "reminders.states.bogus"},
		{"[reminders.escalation.states]\ntesting = 4\n", "reminders.escalation.states.testing"},
		{"[calendar]\nlocal_holidays = [\"21/11\"]\n", "calendar.local_holidays[0]"},
		{"[reminders]\ncheck_every = \"10s\"\n", "reminders.check_every"},
	} {
		_, err := loadScheduleConfig(t, c.toml)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want one naming %s", c.toml, err, c.want)
		}
	}
}
