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

test: deps
	$(SWIFT) test --disable-swift-testing

clean:
	rm -rf .build
