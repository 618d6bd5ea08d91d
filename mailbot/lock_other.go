//go:build !unix

package mailbot

import (
	"context"
	"errors"
	"os"
)

// ErrDataDirBusy says another mailbot already runs on the same data directory.
var ErrDataDirBusy = errors.New("data directory in use by another mailbot serve")

// lockDataDir is a no-op where flock is not available.
func lockDataDir(string) (func(), error) { return func() {}, nil }

// lockFile is a no-op where flock is not available: two processes sending from one data
// directory at once are not kept apart there.
func lockFile(context.Context, *os.File) error { return nil }
