package main

import (
	"os"
	"testing"

	"mailbot/internal/crashreader"
	"mailbot/mailbot"
	"mailbot/parsers"
)

// TestMain serves the document readers of the commands run in-process (inspect, serve): they
// are this test binary run again, reading as crashreader does when a test asks.
func TestMain(m *testing.M) {
	var rd parsers.DocumentReader = parsers.InProcess
	if os.Getenv(crashreader.Env) != "" {
		rd = crashreader.Reader{}
	}
	mailbot.ServeReadWorker(rd)
	os.Exit(m.Run())
}
