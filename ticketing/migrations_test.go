package ticketing

import (
	"fmt"
	"io/fs"
	"sort"
	"testing"
)

// TestMigrationsNumbered: migrations are applied by position, and the database records how many
// ran; two files with one number (two branches landing at once) or a gap would make the names
// lie about the order. They must be 0001, 0002, ... in a row.
func TestMigrationsNumbered(t *testing.T) {
	names, err := fs.Glob(sqlFS, "migrations/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(names)
	for i, n := range names {
		if want := fmt.Sprintf("migrations/%04d_", i+1); len(n) < len(want) || n[:len(want)] != want {
			t.Errorf("migration %d is %s, want a name starting %s", i+1, n, want)
		}
	}
}
