package mailbot

import (
	"fmt"
	"time"
)

// RetentionConfig is [retention]: how long the raw mail of a closed case is kept.
type RetentionConfig struct {
	// ClosedAfterMonths: the raw messages, attachments and sent mail of a case closed longer
	// ago are deleted (the case, its events and what the catalogs publish stay). Default 24.
	ClosedAfterMonths int `toml:"closed_after_months"`
}

func (c *Config) completeRetention() error {
	r := &c.Retention
	if r.ClosedAfterMonths == 0 {
		r.ClosedAfterMonths = 24
	}
	if r.ClosedAfterMonths < 1 || r.ClosedAfterMonths > 120 {
		return fmt.Errorf("retention.closed_after_months: between 1 and 120, got %d", r.ClosedAfterMonths)
	}
	return nil
}

// RetentionCutoff is the instant before which a case closed is past its retention period.
func (c *Config) RetentionCutoff(now time.Time) time.Time {
	return now.AddDate(0, -c.Retention.ClosedAfterMonths, 0)
}
