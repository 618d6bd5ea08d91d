package mailbot

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"time"

	"mailbot/ticketing"
)

// A referent who replies to the credentials mail usually quotes it, passwords included. mailbot
// keeps no password once its mail is sent, so it cannot look for the value itself: it keeps a
// keyed hash of each one (HMAC-SHA256 under a key drawn once per installation), and masks any
// token of a later message on the case whose hash matches, before the message is kept.

// secretHash is the keyed hash under which a credential sent is remembered.
func secretHash(key []byte, v string) string {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(v))
	return hex.EncodeToString(mac.Sum(nil))
}

// rememberSecrets records the keyed hashes of the passwords in a credentials set sent on a case.
func rememberSecrets(tx *ticketing.Tx, ticketID string, values map[string]string, now time.Time) error {
	key, err := tx.SecretKey()
	if err != nil {
		return err
	}
	var hashes []string
	for k, v := range values {
		if strings.HasPrefix(k, "password_") && strings.TrimSpace(v) != "" {
			hashes = append(hashes, secretHash(key, strings.TrimSpace(v)))
		}
	}
	return tx.AddSecretHashes(ticketID, hashes, now)
}

// Bounds of a token worth hashing: MyPay's passwords are 8 to 15 characters.
const (
	minSecretLen = 6
	maxSecretLen = 128
)

// sentSecretsIn lists the tokens of text that are credentials mailbot sent on the ticket.
func sentSecretsIn(tx *ticketing.Tx, ticketID, text string) ([]string, error) {
	hashes, err := tx.SecretHashes(ticketID)
	if err != nil || len(hashes) == 0 {
		return nil, err
	}
	key, err := tx.SecretKey()
	if err != nil {
		return nil, err
	}
	var found []string
	for _, f := range strings.Fields(text) {
		for _, c := range secretCandidates(f) {
			if n := len(c); n < minSecretLen || n > maxSecretLen || slices.Contains(found, c) {
				continue
			}
			if slices.Contains(hashes, secretHash(key, c)) {
				found = append(found, c)
			}
		}
	}
	return found, nil
}

// secretCandidates are the ways a word may hold a password as a mail quotes it: whole, without
// the punctuation or quotes around it, or after "key:" or "key=" written without a space.
func secretCandidates(word string) []string {
	out := []string{word}
	trim := func(s string) string { return strings.Trim(s, "\"'«»()[]<>.,;:*`") }
	out = append(out, trim(word))
	for _, sep := range []string{":", "="} {
		if _, v, ok := strings.Cut(word, sep); ok {
			out = append(out, v, trim(v))
		}
	}
	return out
}
