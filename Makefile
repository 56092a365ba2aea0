# The README's commands. `make test` is what .ci/run calls.
#
# arch-go v1.7.0 writes its pass flag from several goroutines, so ./archtest
# runs without -race; everything else runs with the race detector.

GO_PACKAGES = $(shell go list ./... | grep -v /archtest)

.PHONY: test run build

test:
	@echo "==> gofmt"; unformatted="$$(gofmt -l .)"; if [ -n "$$unformatted" ]; then echo "$$unformatted"; exit 1; fi
	@echo "==> go vet"; go vet ./...
	@echo "==> go test -race (all but archtest)"; go test -race -count=1 $(GO_PACKAGES)
	@echo "==> go test archtest"; go test -count=1 ./archtest/...

run:
	go run ./cmd/hocd

build:
	go build -o hocd ./cmd/hocd
