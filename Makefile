# The two commands a fresh Debian machine needs: `make demo` and `make test`.
# Each installs the missing Debian packages it needs first.
SWIFT ?= swift
SWIFT_FLAGS ?=

.PHONY: build demo test bench format lint clean

build:
	scripts/ensure-packages.sh build
	$(SWIFT) build $(SWIFT_FLAGS)

demo: build
	$(SWIFT) run $(SWIFT_FLAGS) kioskd demo

test:
	scripts/ensure-packages.sh build test printing
	$(SWIFT) build --build-tests $(SWIFT_FLAGS)
	scripts/cups-test-env.sh $(SWIFT) test --skip-build $(SWIFT_FLAGS)

bench:
	scripts/ensure-packages.sh build bench printing
	$(SWIFT) build -c release $(SWIFT_FLAGS)
	scripts/cups-test-env.sh .build/release/kiosk-bench

format:
	$(SWIFT) format --in-place --recursive Sources Tests Package.swift

lint:
	$(SWIFT) format lint --strict --recursive Sources Tests Package.swift

clean:
	rm -rf .build
