package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"mailbot/mailbot"
	"mailbot/ticketing"
)

// runPEC loads the index of PEC providers (the LDIF AgID publishes) into the database.
func runPEC(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return runImport(ctx, "pec", "the index", "usage: mailbot pec import -config FILE PROVIDERS.ldif\n", args, stdout, stderr,
		func(ctx context.Context, store *ticketing.Store, data []byte, file string) (string, error) {
			providers, certs, err := mailbot.ImportPECProviders(ctx, store, data, time.Now())
			if err != nil {
				return "", fmt.Errorf("%s: %w", file, err)
			}
			return fmt.Sprintf("index of PEC providers: %d providers, %d certificates imported from %s", providers, certs, file), nil
		})
}
