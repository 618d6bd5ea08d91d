package ops

import (
	"os"
	"testing"

	"mailbot/internal/crashreader"
	"mailbot/mailbot"
	"mailbot/parsers"
)

// TestMain serves the daemon's document readers: they are this test binary run again, reading
// as crashreader does when a test sets its variable (a worker then dies of a real fatal error).
func TestMain(m *testing.M) {
	var rd parsers.DocumentReader = parsers.InProcess
	if os.Getenv(crashreader.Env) != "" {
		rd = crashreader.Reader{}
	}
	mailbot.ServeReadWorker(rd)
	os.Exit(m.Run())
}
