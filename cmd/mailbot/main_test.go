package main

import (
	"os"
	"testing"

	"mailbot/internal/crashreader"
	"mailbot/mailbot"
)

// TestMain serves the document readers of the commands run in-process (inspect, serve): they
// are this test binary run again, reading as crashreader does when a test asks.
func TestMain(m *testing.M) {
	mailbot.ServeReadWorker(crashreader.FromEnv())
	os.Exit(m.Run())
}
