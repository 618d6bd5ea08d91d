// Package house holds the tests that check HACKING.md's rules of the house over the whole
// module: which package may import which, and similar rules a reviewer would otherwise have to
// remember. It has no code of its own.
package house
