package ops

import (
	"os"
	"testing"

	"mailbot/mailbot"
	"mailbot/parsers"
)

// TestMain serves the daemon's document readers: they are this test binary run again.
func TestMain(m *testing.M) {
	mailbot.ServeReadWorker(parsers.InProcess)
	os.Exit(m.Run())
}
