//go:build !unix

package mailbot

import "errors"

// ErrDataDirBusy says another mailbot already runs on the same data directory.
var ErrDataDirBusy = errors.New("data directory in use by another mailbot serve")

// lockDataDir is a no-op where flock is not available.
func lockDataDir(string) (func(), error) { return func() {}, nil }
