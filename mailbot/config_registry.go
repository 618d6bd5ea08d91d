package mailbot

import (
	"errors"
	"time"
)

// RegistryConfig is [registry]: the public registry of enti (IndicePA's Enti CSV), which the
// case file checks the ente's codes against.
type RegistryConfig struct {
	// File is the registry's CSV; serve imports it at start and again whenever it changes
	// (mailbot registry import loads a file by hand). Empty: the registry last imported, if any.
	File string `toml:"file"`
	// CheckEvery is how often serve looks at File for changes (default 1 minute).
	CheckEvery Duration `toml:"check_every"`
}

func (c *Config) completeRegistry() error {
	if c.Registry.CheckEvery.Duration < 0 {
		return errors.New("registry.check_every: must be positive")
	}
	if c.Registry.CheckEvery.Duration == 0 {
		c.Registry.CheckEvery.Duration = time.Minute
	}
	return nil
}
