# GitML — the two commands of the quick start are `make demo` and `make test`.
PREFIX ?= /usr/local
SWIFT  ?= swift
# A real S3 server for the blob-remote tests (moto's standalone server, from PyPI), pinned:
# moto 5.2.1 answers SignatureDoesNotMatch to correctly signed listings (boto3's own
# ListObjectsV2 with a prefix included), so the S3 tests fail there; 5.2.6 verifies them.
TEST_VENV ?= $(CURDIR)/.build-test-venv
MOTO_VERSION ?= 5.2.6
# A real Ray head on loopback for the Ray sweep executor's tests (ray from PyPI, its own venv).
RAY_VENV ?= $(CURDIR)/.build-ray-venv
RAY_VERSION ?= 2.60.0
# `git ml version` names the commit a release was built from.
export GITML_COMMIT := $(shell git rev-parse HEAD 2>/dev/null)

.PHONY: deps test-deps build release install dist demo test fuzz-build fuzz fuzz-long sanitize tsan clean

deps:
	@scripts/install-deps.sh

build: deps
	$(SWIFT) build

# The release as `make dist` builds it: static Swift runtime, position-dependent, libgit2 and
# libcurl opened on first use (scripts/build-release.sh).
release: deps
	SWIFT=$(SWIFT) scripts/build-release.sh >/dev/null

# One binary, as in the release tarball: git-mlcommit is a relative link to git-ml, which is
# `git mlcommit` when started under that name (docs/INSTALL.md). A git-mlcommit left by an older
# install is replaced by the link. BIN_DIR is the build installed (`make -o release install
# BIN_DIR=.build/debug` installs the debug build without building the release).
BIN_DIR ?= .build/release
install: release
	install -d $(PREFIX)/bin
	install -m 0755 $(BIN_DIR)/git-ml $(PREFIX)/bin/
	ln -sfn git-ml $(PREFIX)/bin/git-mlcommit

# The release tarball: dist/gitml-<version>-linux-<arch>.tar.gz (docs/INSTALL.md).
dist: deps
	scripts/dist.sh

demo: install
	scripts/demo.sh

# chromium (apt) for the headless-browser test of the HTML review report.
test-deps: deps
	@scripts/install-deps.sh --test
	@test -x $(TEST_VENV)/bin/moto_server || { python3 -m venv $(TEST_VENV) && $(TEST_VENV)/bin/pip install -q 'moto[server]==$(MOTO_VERSION)'; }
	@test -x $(RAY_VENV)/bin/ray || { python3 -m venv $(RAY_VENV) && $(RAY_VENV)/bin/pip install -q 'ray==$(RAY_VERSION)'; }

# The bootstrap coverage simulation (2,000 seeded datasets) runs in release; then the whole suite.
test: test-deps
	GITML_SLOW_TESTS=1 $(SWIFT) test -c release --disable-swift-testing --filter BootstrapCoverageTests
	MOTO_SERVER=$(TEST_VENV)/bin/moto_server GITML_RAY_PYTHON=$(RAY_VENV)/bin/python $(SWIFT) test --disable-swift-testing

# Fuzzing (docs/RELIABILITY.md, "Fuzzing"): the libFuzzer harness built apart from the
# normal build, each reader fed FUZZ_RUNS inputs starting from the committed corpus (which the
# normal test run replays). New interesting inputs collect in .build-fuzz/corpus/<target>;
# in `make fuzz` a crash or an input slower than 1 s stops the run and is written to
# .build-fuzz/findings/ — fix it and commit the input under Fuzz/corpus/<target>/.
# FUZZ_CONFIG: release by default — the optimisation the shipped binary has (overflow and bounds
# traps stay on at -O, and the sources hold no assert() that -O would drop), many times faster
# than debug (docs/RELIABILITY.md has the figures); debug for a finding's stack with every frame.
FUZZ_RUNS ?= 1000000
FUZZ_CONFIG ?= release
FUZZ_TARGETS ?= csv tsv jsonl parquet contract suite experiment gate config settings json dataset-record run-record lock promotion attestation manifest pack predictions
fuzz-build:
	$(SWIFT) build -c $(FUZZ_CONFIG) --sanitize=fuzzer -Xswiftc -DFUZZING --product gitml-fuzz --scratch-path .build-fuzz
fuzz: fuzz-build
	@mkdir -p .build-fuzz/findings
	@for t in $(FUZZ_TARGETS); do \
	  mkdir -p .build-fuzz/corpus/$$t && echo "fuzz $$t: $(FUZZ_RUNS) inputs" && \
	  GITML_FUZZ_TARGET=$$t .build-fuzz/$(FUZZ_CONFIG)/gitml-fuzz -runs=$(FUZZ_RUNS) -timeout=1 -rss_limit_mb=4096 \
	    -artifact_prefix=.build-fuzz/findings/$$t- .build-fuzz/corpus/$$t Fuzz/corpus/$$t || exit 1; \
	done

# The long mode: every target of FUZZ_TARGETS for FUZZ_RUNS inputs, going on past a finding
# (each one written to .build-fuzz/findings/), then per target the inputs run, exec/s, findings
# and the slowest input (scripts/fuzz-long.sh). FUZZ_SECONDS caps each target's wall time (0: none).
FUZZ_SECONDS ?= 0
fuzz-long: fuzz-build
	SECONDS_PER_TARGET=$(FUZZ_SECONDS) scripts/fuzz-long.sh .build-fuzz/$(FUZZ_CONFIG)/gitml-fuzz $(FUZZ_RUNS) $(FUZZ_TARGETS)

# The sanitizer run (docs/RELIABILITY.md, "Sanitizers"): the package and its tests built with
# SANITIZER (address or thread) apart from the normal build, then the tests in SANITIZE_TESTS —
# the store's threads, libgit2 and zlib through GitRepo, the readers of untrusted bytes, and the
# CLI's record and lock checks (their binaries are built with the sanitizer too). Leak reports are
# off: XCTest and the Swift runtime keep allocations to exit, and a report fails every CLI call.
SANITIZER ?= address
SANITIZE_TESTS ?= StoreConcurrencyTests|ObjectStoreTests|RemoteSyncTests|GitRepoTests|RecordsTests|FuzzCorpusTests|RecordCorruptionTests
sanitize: test-deps
	$(SWIFT) build --build-tests --sanitize=$(SANITIZER) --scratch-path .build-$(SANITIZER)
	ASAN_OPTIONS=detect_leaks=0 MOTO_SERVER=$(TEST_VENV)/bin/moto_server $(SWIFT) test --skip-build --sanitize=$(SANITIZER) --scratch-path .build-$(SANITIZER) \
	  --disable-swift-testing --filter '$(SANITIZE_TESTS)'

# ThreadSanitizer over the code that runs threads (docs/RELIABILITY.md, "Sanitizers"): parallel
# pack writes and reads, concurrent push and pull (in one process, and two clones at once), a
# sweep's parallel trials, the Parquet reader's row-group decode, the GBDT's threads and
# ParallelFor. The binaries the CLI tests run are built with TSan too: a race they report makes
# the command exit 66, which fails its test.
TSAN_TESTS ?= StoreConcurrencyTests|ObjectStoreTests|RemoteSyncTests|ConcurrentPushTests|SweepCommandTests/testSweepTrialsNeverSpendTheEvaluationSet|ParquetReaderTests|GradientBoostedTreesTests|ParallelForTests
tsan:
	$(MAKE) sanitize SANITIZER=thread SANITIZE_TESTS='$(TSAN_TESTS)'

clean:
	rm -rf .build .build-fuzz .build-dist .build-address .build-thread dist $(TEST_VENV) $(RAY_VENV)
