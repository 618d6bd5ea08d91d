package mailbot

import "fmt"

// OpsConfig is [ops]: where serve answers health checks, metrics and status.
type OpsConfig struct {
	// Listen is a loopback or private host:port for /healthz, /readyz, /metrics and /status;
	// "off" turns it off. Default 127.0.0.1:9466.
	Listen string `toml:"listen"`
}

// Enabled tells whether serve answers on [ops] listen.
func (c OpsConfig) Enabled() bool { return c.Listen != "off" }

func (c *Config) completeOps() error {
	if c.Ops.Listen == "" {
		c.Ops.Listen = "127.0.0.1:9466"
	}
	if !c.Ops.Enabled() {
		return nil
	}
	if err := checkInternal(c.Ops.Listen); err != nil {
		return fmt.Errorf("ops.listen: %w", err)
	}
	return nil
}
