//go:build !unix

package mailbot

import "time"

func limitMemory(uint64) error { return nil }

func selfCPU() time.Duration { return 0 }

func liveCPU(int) (time.Duration, bool) { return 0, false }
