package ticketing

import (
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// SecretKey returns the installation's key for hashing credentials, drawing it at first use.
func (t *Tx) SecretKey() ([]byte, error) {
	var key []byte
	err := t.row("secret-key-get").Scan(&key)
	if errors.Is(err, sql.ErrNoRows) {
		key = make([]byte, 32)
		rand.Read(key)
		if _, err := t.exec("secret-key-insert", key); err != nil {
			return nil, err
		}
		return key, nil
	}
	if err != nil {
		return nil, fmt.Errorf("secret key: %w", err)
	}
	return key, nil
}

// AddSecretHashes records the keyed hashes of credentials sent on a ticket.
func (t *Tx) AddSecretHashes(ticketID string, hashes []string, now time.Time) error {
	for _, h := range hashes {
		if _, err := t.exec("secret-hash-insert", ticketID, h, ts(now)); err != nil {
			return err
		}
	}
	return nil
}

// SecretHashes lists the keyed hashes of the credentials sent on a ticket.
func (t *Tx) SecretHashes(ticketID string) ([]string, error) {
	if _, ok := t.opened[ticketID]; ok {
		return nil, nil // opened in this transaction, and no statement since stored a secret (keepsForms)
	}
	return t.strings("secret-hash-list", ticketID)
}
