# Astara's build. `make test` is what CI runs (.ci/run).
GO ?= go

.PHONY: test vet bench fuzz fuzz-slice build demo

# Without cgo: Pebble's zstd in Go rather than C, a third faster to build
# from cold caches (docs/BENCHMARKS.md), and the stores do not compress.
build:
	CGO_ENABLED=0 $(GO) build -o bin/astara ./cmd/astara

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

# A fuzz campaign: every fuzz target for FUZZTIME (60s by default), what it
# finds kept in the package's testdata/fuzz, which every `go test` runs.
fuzz:
	GO=$(GO) FUZZTIME=$${FUZZTIME:-60s} scripts/fuzz

# A CI-sized slice of the campaign: a sixth of the targets, 15 s each, a
# different sixth each day of the year.
fuzz-slice:
	GO=$(GO) FUZZTIME=15s SLICE=$$(( $$(date +%j | sed 's/^0*//') % 6 ))/6 scripts/fuzz

demo:
	$(GO) run ./cmd/astara demo
