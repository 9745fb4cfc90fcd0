# The two commands a fresh Debian machine needs: `make demo` and `make test`.
# Each installs the missing Debian packages it needs first.
SWIFT ?= swift
SWIFT_FLAGS ?=
# How long `make test` (and `make fuzz`) fuzzes the SAM frame decoder.
FUZZ_SECONDS ?= 30

.PHONY: build demo test bench chaos fuzz format lint clean

build:
	scripts/ensure-packages.sh build
	$(SWIFT) build $(SWIFT_FLAGS)

demo: build
	scripts/ensure-packages.sh printing
	scripts/demo.sh

test:
	scripts/ensure-packages.sh build test printing screen platform
	$(SWIFT) format lint --strict --recursive Sources Tests Package.swift
	$(SWIFT) build --build-tests $(SWIFT_FLAGS)
	# The kiosk's suites, then the platform's and the relay's on their own: the daemon tests
	# time watchdog pings and shutdowns, and 2 cores shared with two databases' worth of
	# platform traffic would make those timings lie.
	# Each step has a deadline (minutes) several times its usual length: a hang fails there,
	# listing what was still running, rather than at CI's own limit with nothing to show.
	scripts/bounded.sh 30 scripts/cups-test-env.sh $(SWIFT) test --skip-build --skip KioskPlatformTests $(SWIFT_FLAGS)
	scripts/bounded.sh 15 scripts/postgres-test-env.sh $(SWIFT) test --skip-build --filter KioskPlatformTests $(SWIFT_FLAGS)
	scripts/bounded.sh 30 scripts/postgres-test-env.sh scripts/contract-conformance.sh "$$($(SWIFT) build --show-bin-path $(SWIFT_FLAGS))" sqlite postgres
	scripts/bounded.sh 10 scripts/fuzz-idcard.sh $(FUZZ_SECONDS)

# Release binaries in their own build folder, so that a benchmark never waits for (or
# invalidates) the debug build used by the tests.
bench:
	scripts/ensure-packages.sh build bench printing screen platform
	$(SWIFT) build -c release --scratch-path .build-release $(SWIFT_FLAGS)
	scripts/cups-test-env.sh scripts/postgres-test-env.sh scripts/pgbench-baseline.sh \
		.build-release/release/kiosk-bench --binaries .build-release/release $(BENCH_FLAGS)

# kill -9 of kioskd and kiosk-platform at random points, 200 times (make test runs 20); then
# the network-fault test (namespaces, loss, partition) once more.
chaos:
	scripts/ensure-packages.sh build test printing screen platform
	$(SWIFT) build --build-tests $(SWIFT_FLAGS)
	KIOSK_CHAOS_ROUNDS=$${KIOSK_CHAOS_ROUNDS:-200} scripts/cups-test-env.sh $(SWIFT) test --skip-build --filter SyncChaosTests $(SWIFT_FLAGS)
	$(SWIFT) test --skip-build --filter NetworkFaultTests $(SWIFT_FLAGS)

# libFuzzer over the SAM frame decoder, bounded (FUZZ_SECONDS) for CI.
fuzz:
	scripts/fuzz-idcard.sh $(FUZZ_SECONDS)

format:
	$(SWIFT) format --in-place --recursive Sources Tests Package.swift

lint:
	$(SWIFT) format lint --strict --recursive Sources Tests Package.swift

clean:
	rm -rf .build
