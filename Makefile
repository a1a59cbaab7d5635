# GitML — the two commands of the quick start are `make demo` and `make test`.
PREFIX ?= /usr/local
SWIFT  ?= swift

.PHONY: deps build release install demo test clean

deps:
	@scripts/install-deps.sh

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

install: release
	install -d $(PREFIX)/bin
	install -m 0755 .build/release/git-ml .build/release/git-mlcommit $(PREFIX)/bin/

demo: install
	scripts/demo.sh

# The bootstrap coverage simulation (2,000 seeded datasets) runs in release; then the whole suite.
test: deps
	GITML_SLOW_TESTS=1 $(SWIFT) test -c release --disable-swift-testing --filter BootstrapCoverageTests
	$(SWIFT) test --disable-swift-testing

clean:
	rm -rf .build
