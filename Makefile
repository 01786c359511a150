# Scribe: the targets a newcomer guesses. Each is a script under scripts/ that also
# runs on its own.
.PHONY: all build run test bench fmt clean distclean deps dist

all: build

# Debian packages and Python modules for building, running and testing (as root).
deps:
	scripts/install-deps.sh --test

build:
	scripts/fetch-grammars.sh
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

fmt:
	@if swift format --version >/dev/null 2>&1; then \
		swift format -i -r Sources Tests; \
	else \
		echo "swift format is not available with this toolchain" >&2; exit 1; \
	fi

# Build products only; var/ (the dev database and pages) stays.
clean:
	rm -rf .build .pytest_cache dist
	find tests -name __pycache__ -type d -prune -exec rm -rf {} +

# Also the dev database, pages, logs, secret key and token under var/.
distclean: clean
	-scripts/nginx.sh stop var/nginx
	-scripts/pg.sh stop var/pg
	rm -rf var
