# The two commands a fresh Debian machine needs: `make demo` and `make test`.
# Each installs the missing Debian packages it needs first.
SWIFT ?= swift
SWIFT_FLAGS ?=

.PHONY: build demo test bench fuzz format lint clean

build:
	scripts/ensure-packages.sh build
	$(SWIFT) build $(SWIFT_FLAGS)

demo: build
	$(SWIFT) run $(SWIFT_FLAGS) kioskd demo

test:
	scripts/ensure-packages.sh build test
	$(SWIFT) build --build-tests $(SWIFT_FLAGS)
	$(SWIFT) test --skip-build $(SWIFT_FLAGS)

bench:
	scripts/ensure-packages.sh build bench
	$(SWIFT) build -c release $(SWIFT_FLAGS)
	.build/release/kiosk-bench

# libFuzzer over the SAM frame decoder, bounded (FUZZ_SECONDS, default 30) for CI.
FUZZ_SECONDS ?= 30
fuzz:
	scripts/fuzz-idcard.sh $(FUZZ_SECONDS)

format:
	$(SWIFT) format --in-place --recursive Sources Tests Package.swift

lint:
	$(SWIFT) format lint --strict --recursive Sources Tests Package.swift

clean:
	rm -rf .build
