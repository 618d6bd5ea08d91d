package ops

import (
	"os"
	"testing"

	"mailbot/internal/crashreader"
	"mailbot/mailbot"
)

// TestMain serves the daemon's document readers: they are this test binary run again, reading
// as crashreader does when a test sets its variable (a worker then dies of a real fatal error).
func TestMain(m *testing.M) {
	mailbot.ServeReadWorker(crashreader.FromEnv())
	os.Exit(m.Run())
}
