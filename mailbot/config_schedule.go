package mailbot

import (
	"fmt"
	"net/mail"
)

// DigestConfig addresses the daily digest.
type DigestConfig struct {
	To []string `toml:"to"`
}

// ReminderConfig sets when stalled cases are chased.
type ReminderConfig struct{}

// CalendarConfig sets the working-day calendar.
type CalendarConfig struct{}

func (c *Config) completeSchedule() error {
	for i, a := range c.Digest.To {
		if _, err := mail.ParseAddress(a); err != nil {
			return fmt.Errorf("digest.to[%d]: not an address: %q", i, a)
		}
	}
	return nil
}
