# yiwang — build, run and test. Every target uses the approved toolchain (Go 1.26.8 has known
# standard-library vulnerabilities; see ../shared/reference/go-stack.md §3.1).
export GOTOOLCHAIN := go1.27.3

VENDOR   := internal/web/static/vendor
STAMP    := $(VENDOR)/.installed
DATA     ?= ./data
ADDR     ?= 127.0.0.1:8080

.PHONY: all run build test test-short vet assets bench fuzz clean

all: build

# Front-end libraries come from npm at pinned versions and are copied into the embedded static
# folder; nothing is committed and nothing is loaded from the network at run time.
$(STAMP): package.json package-lock.json scripts/web-assets.sh
	npm ci --no-audit --no-fund --loglevel=error
	sh scripts/web-assets.sh
	touch $@

assets: $(STAMP)

build: assets
	go build -trimpath -o bin/yiwang ./cmd/yiwang

## run: the platform with the embedded database and the demo district
run: build
	./bin/yiwang serve --demo --data $(DATA) --addr $(ADDR)

# staticcheck is a tool dependency in go.mod (go get -tool), so its version is pinned with the rest.
vet: assets
	go vet ./...
	go tool staticcheck ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1)

## test: vet (go vet, staticcheck, gofmt), then every test (store suite on SQLite, and on PostgreSQL when YIWANG_TEST_PG is set;
## browser tests in Chromium), with the race detector
test: vet
	go test -race -count=1 -timeout 40m ./...

test-short: assets
	go test -count=1 ./...

## fuzz: every fuzz target of a parser of outside input, FUZZTIME each (等保 2.0 8.1.4.4 软件容错);
## run by .ci/run after make test. Targets as package:FuzzName; a new parser adds its target here.
FUZZTIME ?= 10s
FUZZ := internal/httpx:FuzzDecodeNever500 internal/httpx:FuzzDecodeText internal/httpx:FuzzCheckValues \
	internal/cursor:FuzzDecode internal/cases:FuzzFilterFrom internal/cases:FuzzImportNDJSON \
	internal/cases:FuzzPhotoUpload internal/open311:FuzzForms internal/org:FuzzParseFile internal/grid:FuzzParse \
	internal/category:FuzzParseCSV internal/category:FuzzParseLimitsCSV internal/calendar:FuzzParseFile \
	internal/photo:FuzzProcessNeverPanics internal/textsearch:FuzzQueriesAreSafe internal/redact:FuzzPublic \
	internal/tabular:FuzzRead internal/basemap:FuzzParseCoord internal/directory:FuzzParseFile \
	internal/directory/hours:FuzzParse internal/directory/search:FuzzSearch
fuzz: assets
	@set -e; for target in $(FUZZ); do \
		echo "fuzz $${target#*:} ($${target%%:*}, $(FUZZTIME))"; \
		go test -run '^$$' -fuzz "^$${target#*:}\$$" -fuzztime $(FUZZTIME) ./$${target%%:*}/; \
	done

## bench: the performance benchmarks (not part of the tests). The indicators' contract (< 100 ms p95
## over 10 M cases) builds the aggregates of 10 M synthetic cases once and keeps them in the temp dir
## (BENCH_CASES=N for fewer; see internal/eval/bench_test.go).
BENCH_CASES ?= 10000000
bench: assets
	go test -run '^$$' -bench . -benchtime 2s ./internal/grid/...
	go test -run '^$$' -bench . -benchtime 2s ./internal/cases/casegen/
	YIWANG_BENCH_CASES=$(BENCH_CASES) go test -run '^$$' -bench 'Indicators|Rankings|CatchUp' -benchtime 20x -timeout 120m ./internal/eval/

clean:
	rm -rf bin $(VENDOR)/* node_modules
	git checkout -- $(VENDOR)/README.txt 2>/dev/null || true
