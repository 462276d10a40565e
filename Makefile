# Astara's build. `make test` is what CI runs (.ci/run).
GO ?= go

.PHONY: test vet bench fuzz build demo

build:
	$(GO) build -o bin/astara ./cmd/astara

# vet and gofmt first; then every test, with the race detector.
test: vet
	$(GO) test -race -timeout 20m ./...

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))" || { echo "gofmt needed:"; gofmt -l .; exit 1; }
	$(GO) vet ./...

# The benchmarks behind docs/BENCHMARKS.md.
bench:
	$(GO) test -run '^$$' -bench . -benchtime 3x ./ledger/ ./journal/ ./money/
	$(GO) run ./cmd/astara bench ledger --postgres

# A short run of every fuzz target.
fuzz:
	@for pkg in $$($(GO) list ./...); do \
	  for t in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "$$pkg $$t"; $(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime 20s $$pkg || exit 1; \
	  done; \
	done

demo:
	$(GO) run ./cmd/astara demo
