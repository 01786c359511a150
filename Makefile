# Scribe: the targets a newcomer guesses. Each is a script under scripts/ that also
# runs on its own.
.PHONY: all build run test bench fmt lint clean distclean deps dist

all: build

# Debian packages and Python modules for building, running and testing (as root).
deps:
	scripts/install-deps.sh --test

# Installs the missing build and run packages first (as root; otherwise it names them and stops).
build:
	scripts/install-deps.sh
	swift build

# Scribe on http://127.0.0.1:8080 (SCRIBE_PORT), documenting this repository; Ctrl-C stops it.
run:
	scripts/run.sh

# Unit, store, end-to-end and browser tests against a throwaway PostgreSQL.
# TEST_ARGS go to scripts/test.sh: --no-swift, --no-e2e, or pytest's own (-k NAME, -x).
TEST_ARGS ?=
test:
	scripts/test.sh $(TEST_ARGS)

# Benchmarks, when there are any: every scripts/bench*.sh in turn.
bench:
	@found=0; for script in scripts/bench*.sh; do \
		[ -f "$$script" ] || continue; found=1; \
		echo "== $$script"; bash "$$script" || exit 1; \
	done; \
	[ "$$found" = 1 ] || echo "no benchmarks yet (scripts/bench*.sh)"

# A tarball of release binaries (Swift runtime linked in), static/ and deploy/: dist/scribe-VERSION-….tar.gz
dist:
	scripts/dist.sh

# swift format with the checked-in .swift-format (4 spaces, 120 columns).
fmt:
	@if swift format --version >/dev/null 2>&1; then \
		swift format -i -r --configuration .swift-format Sources Tests; \
	else \
		echo "swift format is not available with this toolchain; nothing was formatted" >&2; exit 1; \
	fi

# The layout rules (SQL only in ScribeStore), then swift format's lint of the Swift files added
# since LINT_BASE (default main), strictly: new code is formatted as it is written, so that a whole-tree
# reformat does not collide with work in progress. `make lint LINT_BASE=` lints every file.
LINT_BASE ?= main
lint:
	scripts/check-sql.sh
	@if ! swift format --version >/dev/null 2>&1; then \
		echo "lint: swift format is not available with this toolchain; formatting was not checked" >&2; exit 0; \
	fi; \
	if [ -n "$(LINT_BASE)" ]; then \
		files=$$(git diff --name-only --diff-filter=A "$(LINT_BASE)" -- 'Sources/*.swift' 'Tests/*.swift'); \
	else \
		files=$$(git ls-files 'Sources/*.swift' 'Tests/*.swift'); \
	fi; \
	if [ -z "$$files" ]; then echo "lint: no Swift file changed since $(LINT_BASE)"; exit 0; fi; \
	swift format lint --strict --configuration .swift-format $$files && echo "lint: formatted as .swift-format says"

# Build products only; var/ (the dev database and pages) stays.
clean:
	rm -rf .build .pytest_cache dist
	find tests -name __pycache__ -type d -prune -exec rm -rf {} +

# Also the dev database, pages, logs, secret key and token under var/.
distclean: clean
	-scripts/nginx.sh stop var/nginx
	-scripts/pg.sh stop var/pg
	rm -rf var
