// Package e2e holds end-to-end tests of the real mailbot binary against the real Dovecot and
// Postfix that .ci/mailservers runs on loopback: a backlog ingested while the daemon is killed
// with SIGKILL at random moments, the IMAP server dropping connections or restarting
// mid-fetch, and every memory and time bomb of internal/bombs in the mailbox of a running
// daemon (peak RSS and the next ordinary reply checked; TestBombsInspect reads each bomb with
// `mailbot inspect` and needs no server). It has no code of its own; the tests build ./cmd/mailbot once and drive it as a
// child process (`mailbot serve`, `mailbot tickets list -json`), reading the referents' real
// mailboxes to check what they received.
//
// The tests skip without the servers, and fail instead when MAILBOT_TEST_REAL_SERVERS=1 (as in
// .ci/run). Random choices are seeded: the seed is logged, and MAILBOT_E2E_SEED=N repeats a run.
// `go test -short ./e2e` runs a smaller backlog with fewer kills.
package e2e
