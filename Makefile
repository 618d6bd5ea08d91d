SHELL := /bin/bash
GO ?= go
# How long each fuzz target runs in `make fuzz`.
FUZZTIME ?= 10s

.PHONY: test check fuzz mailservers e2e

# Tests in random order, to catch ones that depend on each other.
test:
	$(GO) test -shuffle=on ./...

check:
	@out=$$(gofmt -l .); if [[ -n "$$out" ]]; then echo "not gofmt-formatted:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

# Runs every Fuzz target of every package for FUZZTIME each
# (go test -fuzz takes one target of one package at a time). Minimising an interesting input
# for the default 60 s stalls the document readers' targets at "0/sec": 1 s is enough.
fuzz:
	@set -euo pipefail; \
	for pkg in $$($(GO) list ./...); do \
		list=$$($(GO) test -list '^Fuzz' "$$pkg"); \
		for f in $$(grep '^Fuzz' <<<"$$list" || true); do \
			echo "== $$pkg $$f"; \
			$(GO) test -run '^$$' -fuzz "^$$f\$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 1s "$$pkg"; \
		done; \
	done

# Real Dovecot and Postfix on loopback (needs root).
mailservers:
	.ci/mailservers

# Every test, with the real servers required rather than skipped.
e2e:
	.ci/mailservers
	MAILBOT_TEST_REAL_SERVERS=1 $(GO) test -count=1 ./...
