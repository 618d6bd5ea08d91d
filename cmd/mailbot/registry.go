package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"mailbot/ticketing"
)

// runRegistry loads the public registry of enti (IndicePA's Enti CSV) into the database.
func runRegistry(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return runImport(ctx, "registry", "the registry", "usage: mailbot registry import -config FILE ENTI.csv\n", args, stdout, stderr,
		func(ctx context.Context, store *ticketing.Store, data []byte, file string) (string, error) {
			src, err := store.ImportRegistry(ctx, data, file, time.Now())
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("registry of enti: %d enti imported from %s (sha256 %s)", src.Enti, src.File, src.SHA256), nil
		})
}
