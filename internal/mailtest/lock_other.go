//go:build !unix

package mailtest

import "testing"

// acquire is a no-op where flock is missing; the servers run on Linux anyway.
func acquire(testing.TB) {}
