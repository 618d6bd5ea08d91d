//go:build !unix

package ticketing

import "os"

// openFile is os.OpenFile where files_unix.go's shortcut does not apply.
func openFile(name string, flag int, perm os.FileMode) (*os.File, error) {
	return os.OpenFile(name, flag, perm)
}
