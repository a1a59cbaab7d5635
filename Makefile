# GitML — the two commands of the quick start are `make demo` and `make test`.
PREFIX ?= /usr/local
SWIFT  ?= swift
# A real S3 server for the blob-remote tests (moto's standalone server, from PyPI).
TEST_VENV ?= $(CURDIR)/.build-test-venv
# `git ml version` names the commit a release was built from.
export GITML_COMMIT := $(shell git rev-parse HEAD 2>/dev/null)

.PHONY: deps test-deps build release install dist demo test clean

deps:
	@scripts/install-deps.sh

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

install: release
	install -d $(PREFIX)/bin
	install -m 0755 .build/release/git-ml .build/release/git-mlcommit $(PREFIX)/bin/

# The release tarball: dist/gitml-<version>-linux-<arch>.tar.gz (docs/INSTALL.md).
dist: deps
	scripts/dist.sh

demo: install
	scripts/demo.sh

# chromium (apt) for the headless-browser test of the HTML review report.
test-deps: deps
	@scripts/install-deps.sh --test
	@test -x $(TEST_VENV)/bin/moto_server || { python3 -m venv $(TEST_VENV) && $(TEST_VENV)/bin/pip install -q 'moto[server]'; }

# The bootstrap coverage simulation (2,000 seeded datasets) runs in release; then the whole suite.
test: test-deps
	GITML_SLOW_TESTS=1 $(SWIFT) test -c release --disable-swift-testing --filter BootstrapCoverageTests
	MOTO_SERVER=$(TEST_VENV)/bin/moto_server $(SWIFT) test --disable-swift-testing

clean:
	rm -rf .build .build-dist dist $(TEST_VENV)
