// swift-tools-version:6.2
import PackageDescription

// Our own targets build in Swift 6 language mode with the same upcoming features the
// anchors use, so that imports and existentials stay explicit, and with warnings as errors:
// a warning in our code fails the build (dependencies keep theirs).
let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .treatAllWarnings(as: .error),
]

let package = Package(
    name: "kiosk",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "kioskd", targets: ["kioskd"]),
        .executable(name: "kioskctl", targets: ["kioskctl"]),
        .executable(name: "kiosk-platform", targets: ["kiosk-platform"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-openapi-runtime", from: "1.13.4"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/swift-openapi-hummingbird", from: "2.1.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-openapi-async-http-client", from: "1.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        // System libraries: each is imported by exactly one wrapper target.
        .systemLibrary(
            name: "CLibUSB",
            pkgConfig: "libusb-1.0",
            providers: [.apt(["libusb-1.0-0-dev"])]
        ),
        // Debian 12's libcups2-dev ships no pkg-config file: the module map links `cups`.
        .systemLibrary(name: "CCups", providers: [.apt(["libcups2-dev"])]),
        // glibc's pseudo-terminal functions, hidden from Swift's Glibc module (SAM simulator).
        .systemLibrary(name: "CPosixPTY"),
        // Document rendering: cairo (PDF and raster surfaces), pango (CJK text layout), qrencode.
        .systemLibrary(name: "CCairo", pkgConfig: "cairo-pdf", providers: [.apt(["libcairo2-dev"])]),
        .systemLibrary(name: "CPango", pkgConfig: "pangocairo", providers: [.apt(["libpango1.0-dev"])]),
        .systemLibrary(name: "CQREncode", pkgConfig: "libqrencode", providers: [.apt(["libqrencode-dev"])]),
        // Handwriting recognition (Zinnia; the model is Debian's tegaki-zinnia-simplified-chinese).
        .systemLibrary(name: "CZinnia", pkgConfig: "zinnia", providers: [.apt(["libzinnia-dev"])]),

        // The domain: pure Swift, Foundation only, no I/O.
        .target(name: "KioskCore", swiftSettings: strict),

        // YAML files with line-accurate errors (configuration, device profiles, catalog).
        .target(
            name: "KioskFiles",
            dependencies: ["KioskCore", .product(name: "Yams", package: "Yams")],
            swiftSettings: strict
        ),

        // The 一件事 catalog and working-day calendar loaded from YAML with located problems.
        .target(name: "KioskCatalog", dependencies: ["KioskCore", "KioskFiles"], swiftSettings: strict),

        // Wire types of the local and admin APIs, shared by kioskd and kioskctl: status, doctor,
        // print jobs, store decisions, the session view and the one error body. Foundation only.
        .target(name: "KioskAPI", dependencies: ["KioskCore"], swiftSettings: strict),

        // Devices: common device model, registry, event bus, drivers and simulators.
        .target(
            name: "KioskDevices",
            dependencies: [
                "KioskCore", "KioskFiles", "CLibUSB", "CCups", "CPosixPTY",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),

        // Receipts, one-time notices and pledges rendered from data templates to PDF and raster.
        .target(
            name: "KioskDocuments",
            dependencies: [
                "KioskCore", "KioskFiles", "CCairo", "CPango", "CQREncode",
            ],
            swiftSettings: strict
        ),

        // The screen's handwriting pad: Zinnia's recogniser over strokes, standard characters out.
        .target(name: "KioskHandwriting", dependencies: ["KioskCore", "CZinnia"], swiftSettings: strict),

        // Spoken guidance: espeak-ng's Mandarin voice, prompts cached per catalogue version.
        .target(
            name: "KioskSpeech",
            dependencies: ["KioskCore", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict
        ),

        // The persisted print queue: renders documents, sends them to CUPS or ESC/POS printers,
        // follows each job to its end, and falls back to the screen.
        .target(
            name: "KioskPrinting",
            dependencies: [
                "KioskCore", "KioskDocuments", "KioskDevices",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),

        // Sealing to the platform's key (HPKE): what a kiosk seals it cannot open again; the
        // platform's keyring opens it. Shared by the session, the trust layer and the platform.
        .target(
            name: "KioskSeal",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict
        ),

        // The kiosk's append-only, hash-chained audit trail (a file kept through a factory
        // reset), written by kioskd and kioskctl, sent to the platform, checked by both.
        .target(
            name: "KioskAudit",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict
        ),

        // SQLite store: schema, migrations, repositories, quarantine of corrupt files.
        .target(
            name: "KioskStore",
            dependencies: [
                "KioskCore", "KioskAPI",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),

        // kiosk.yaml: the configuration types and their loader, for kioskd and kioskctl alike.
        .target(
            name: "KioskConfig",
            dependencies: ["KioskCore", "KioskFiles", "KioskDevices", "KioskAPI"],
            swiftSettings: strict
        ),

        // The citizen's visit: actions, submission, receipt printing, progress, prefill, idle
        // watch; on-screen calibration. No HTTP.
        .target(
            name: "KioskSession",
            dependencies: [
                "KioskCore", "KioskAPI", "KioskDevices", "KioskDocuments", "KioskPrinting", "KioskStore", "KioskSeal",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),

        // The kiosk's identity and what it trusts: its device key and certificate, enrolment
        // with a single-use token (the platform's CA pinned by the token), renewal, and the
        // mutual-TLS configuration of every sync exchange. Shared by kioskd, kioskctl (enrol)
        // and the platform (the enrolment messages). No GRDB, no Hummingbird.
        .target(
            name: "KioskTrust",
            dependencies: [
                "KioskCore", "KioskSeal",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                // scrypt for technicians' PINs (already built for X509).
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: strict
        ),

        // The kiosk's side of the sync contract: the outbox message, and the relay that sends
        // cases and attachments and applies the platform's changes.
        .target(
            name: "KioskSync",
            dependencies: [
                "KioskCore", "KioskAPI", "KioskSession", "KioskStore", "KioskSyncAPI", "KioskTrust", "KioskAudit",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "OpenAPIAsyncHTTPClient", package: "swift-openapi-async-http-client"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),

        // The sync contract (openapi.yaml) and the types, client and server protocol generated
        // from it (scripts/generate-sync-api.sh; committed, see there why), shared by the kiosk
        // and the platform so that they cannot drift apart. Generated code: no strict settings.
        .target(
            name: "KioskSyncAPI",
            dependencies: [.product(name: "OpenAPIRuntime", package: "swift-openapi-runtime")],
            exclude: ["openapi.yaml", "openapi-generator-config.yaml"]
        ),

        // The reference central platform's logic: storage (SQLite; PostgreSQL next), the sync
        // contract's operations, kiosk identity, departments.
        .target(
            name: "KioskPlatform",
            dependencies: [
                "KioskCore", "KioskCatalog", "KioskSyncAPI", "KioskTrust", "KioskSeal", "KioskAudit", "KioskDocuments",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "OpenAPIHummingbird", package: "swift-openapi-hummingbird"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: strict
        ),

        // Routes and middleware of the local HTTP API (127.0.0.1) and the admin API (unix socket).
        .target(
            name: "KioskServer",
            dependencies: [
                "KioskCore", "KioskAPI", "KioskDevices", "KioskStore", "KioskPrinting", "KioskDocuments", "KioskSession", "KioskAudit",
                "KioskHandwriting", "KioskSpeech",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),

        // The daemon's wiring: services, systemd notify, logging, the doctor.
        .target(
            name: "KioskRuntime",
            dependencies: [
                "KioskCore", "KioskAPI", "KioskConfig", "KioskFiles", "KioskDevices", "KioskStore", "KioskServer", "KioskSession",
                "KioskSync", "KioskTrust", "KioskSeal", "KioskAudit", "KioskCatalog", "KioskPrinting", "KioskDocuments",
                "KioskHandwriting", "KioskSpeech",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),

        .executableTarget(
            name: "kioskd",
            dependencies: [
                "KioskRuntime", "KioskCore", "KioskAPI", "KioskConfig",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "kioskctl",
            dependencies: [
                // The technicians' tools and the wire types; never the server stack (Hummingbird,
                // GRDB, ServiceLifecycle, Prometheus). SQLite's bare C API (GRDBSQLite, the system
                // libsqlite3) reads kiosk.db's outbox while kioskd is stopped (factory-reset).
                "KioskCore", "KioskAPI", "KioskConfig", "KioskFiles", "KioskDevices", "KioskCatalog", "KioskDocuments", "KioskTrust",
                "KioskAudit",
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "kiosk-platform",
            dependencies: [
                "KioskPlatform", "KioskCore", "KioskCatalog", "KioskFiles", "KioskTrust", "KioskSeal", "KioskAudit", "KioskDocuments",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        // Benchmarks: our figures beside a baseline measured in the same run.
        .executableTarget(
            name: "kiosk-bench",
            dependencies: [
                "KioskCore", "KioskStore", "KioskCatalog", "KioskDevices", "KioskDocuments", "KioskPlatform", "KioskSyncAPI", "KioskSync",
                "KioskSession", "KioskAPI", "KioskHandwriting", "KioskSpeech",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "OpenAPIAsyncHTTPClient", package: "swift-openapi-async-http-client"),
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),

        .testTarget(name: "KioskCoreTests", dependencies: ["KioskCore"], swiftSettings: strict),
        .testTarget(name: "KioskSpeechTests", dependencies: ["KioskSpeech", "KioskCore"], swiftSettings: strict),
        .testTarget(
            name: "KioskHandwritingTests", dependencies: ["KioskHandwriting"], exclude: ["Recordings"], swiftSettings: strict),
        .testTarget(
            name: "KioskTrustTests",
            dependencies: ["KioskTrust", "KioskSeal", "KioskAudit", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "KioskCatalogTests",
            dependencies: ["KioskCatalog", "KioskCore", "KioskFiles"],
            exclude: ["Fixtures"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "KioskDevicesTests",
            dependencies: ["KioskDevices", "KioskFiles", "KioskCore", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "KioskDocumentsTests",
            dependencies: ["KioskDocuments", "KioskFiles"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "KioskPrintingTests",
            dependencies: [
                "KioskPrinting", "KioskDocuments", "KioskDevices", "KioskCore",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "KioskSessionTests",
            dependencies: [
                "KioskSession", "KioskSync", "KioskSyncAPI", "KioskAPI", "KioskCore", "KioskStore", "KioskDevices", "KioskPrinting",
                "KioskDocuments", "KioskCatalog", "KioskSeal",
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "KioskPlatformTests",
            dependencies: [
                "KioskPlatform", "KioskSyncAPI", "KioskCore", "KioskCatalog", "KioskSync", "KioskStore", "KioskAPI", "KioskTrust",
                "KioskSeal", "KioskAudit",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "OpenAPIAsyncHTTPClient", package: "swift-openapi-async-http-client"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "KioskStoreTests",
            dependencies: ["KioskStore", "KioskAPI", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "KioskRuntimeTests",
            dependencies: [
                "KioskRuntime", "KioskServer", "KioskStore", "KioskDevices", "KioskFiles", "KioskCore", "KioskPrinting",
                "KioskDocuments", "KioskAPI", "KioskConfig", "KioskSession", "KioskSync", "KioskSeal", "KioskAudit",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
    ]
)
