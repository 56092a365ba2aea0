# The commands of README.md and docs/contributing.md. `make test` is what
# .ci/run calls.
#
# arch-go v1.7.0 writes its pass flag from several goroutines, so ./archtest
# runs without -race, and first: it takes seconds and says at once whether
# a layer imports one it must not; everything else runs with the race
# detector.

GO_PACKAGES = $(shell go list ./... | grep -v /archtest)

# TEST_PARALLEL is how many tests of one package run at once. Every test has
# its own databases and servers, and most of their time is waiting (for
# Postgres, a timeout, a child process), so more than the 2 CPUs pay off.
TEST_PARALLEL ?= 4

# FUZZTIME is how long `make fuzz` runs each fuzz target; CI runs it after
# the tests. The seed corpora (testdata/fuzz/) also run in `make test`.
FUZZTIME ?= 10s

# OUT is where `make build` writes the binary. -buildvcs=auto stamps the git
# revision that `hocd version` prints, even where GOFLAGS turns it off.
OUT ?= hocd

# ERRCHECK is the check that no test discards an error: errcheck (a tool of
# go.mod) with -blank, so that `_ = f()` counts as unchecked too, and
# errcheck_excludes.txt, which names the few calls whose error cannot
# matter, each with its reason. Only findings in _test.go files fail it
# (production code is outside this check), and so does an errcheck that
# could not load the packages (its exit status 2).
ERRCHECK = go tool errcheck -blank -exclude errcheck_excludes.txt ./...

.PHONY: test fuzz run build

test:
	@echo "==> gofmt"; unformatted="$$(gofmt -l .)"; if [ -n "$$unformatted" ]; then echo "$$unformatted"; exit 1; fi
	@echo "==> go vet"; go vet ./...
	@echo "==> errcheck (test files)"; out="$$($(ERRCHECK) 2>&1)"; status=$$?; \
		if [ $$status -gt 1 ]; then echo "$$out"; exit 1; fi; \
		found="$$(printf '%s\n' "$$out" | grep '_test\.go:')"; \
		if [ -n "$$found" ]; then echo "$$found"; echo "a test discards these errors: check each (t.Fatal, t.Error)"; exit 1; fi
	@echo "==> go test archtest"; go test -count=1 ./archtest/...
	@echo "==> go test -race (all but archtest)"; go test -race -count=1 -parallel $(TEST_PARALLEL) $(GO_PACKAGES)

# Every Fuzz target of the module, each for FUZZTIME (scripts/fuzz says how
# it tells Go's fuzztime race from a finding).
fuzz:
	FUZZTIME=$(FUZZTIME) ./scripts/fuzz

run:
	go run ./cmd/hocd

build:
	go build -buildvcs=auto -o $(OUT) ./cmd/hocd
