import Foundation
import KioskDevices
import KioskDocuments

/// One figure of the printing benchmarks.
struct PrintBenchmarkFigure: Sendable, CustomStringConvertible {
    var name: String
    var samples: Int
    var medianMilliseconds: Double
    var p90Milliseconds: Double

    var description: String {
        "\(name): median \(Self.format(medianMilliseconds)) ms, p90 \(Self.format(p90Milliseconds)) ms (n=\(samples))"
    }

    static func format(_ value: Double) -> String { String(format: "%.2f", value) }
}

/// Renders a receipt (CJK text and QR code) and submits it to cupsd through the streaming
/// API, against the baseline of `lp` submitting the same, already rendered PDF, measured
/// in the same run and interleaved so both see the same machine load.
///
/// Targets: median under 150 ms, and at most 1.5 × `lp`. Jobs are submitted held
/// (`job-hold-until=indefinite`, `lp -H hold`) so that printing them does not load the
/// machine during the measurement; they are cancelled afterwards.
///
/// Run it against the private cupsd of `scripts/cups-test-env.sh`:
/// `scripts/cups-test-env.sh .build/release/kiosk-bench` with a main that calls this function
/// with `CUPS_SERVER` and `KIOSK_TEST_CUPS_PDF_QUEUE`.
func runPrintBenchmarks(
    server: CUPSServer, queue: String, templates: String, example: String, iterations: Int = 40
) async throws -> [PrintBenchmarkFigure] {
    let renderer = DocumentRenderer(templates: try TemplateCatalog.load(directory: templates))
    let document = try KioskDocument.decode(.receipt, json: try Data(contentsOf: URL(fileURLWithPath: example)))
    let client = CUPSClient(server: server)
    let options = ["job-hold-until": "indefinite"]

    // The same PDF for lp, written once.
    let rendered = try renderer.pdf(document, paper: .receipt80)
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("kiosk-bench-receipt-\(getpid()).pdf")
    try rendered.data.write(to: file)
    defer { try? FileManager.default.removeItem(at: file) }

    // Warm up: fontconfig's cache, the connection to cupsd, lp's page cache.
    var jobs: [CUPSJobID] = []
    jobs.append(try await client.submit(rendered.data, to: queue, title: "bench-warmup", options: options))
    try runLP(server: server, queue: queue, file: file.path)

    let clock = ContinuousClock()
    var renderOnly: [Duration] = []
    var ours: [Duration] = []
    var lp: [Duration] = []
    for index in 0..<iterations {
        let start = clock.now
        let pdf = try renderer.pdf(document, paper: .receipt80)
        let rendered = clock.now
        jobs.append(try await client.submit(pdf.data, to: queue, title: "bench-\(index)", options: options))
        let submitted = clock.now
        renderOnly.append(rendered - start)
        ours.append(submitted - start)

        let lpStart = clock.now
        try runLP(server: server, queue: queue, file: file.path)
        lp.append(clock.now - lpStart)
    }
    for job in jobs { try? await client.cancel(job) }
    // lp's held jobs are not ours to track by id: cancel everything left in the bench queue.
    try? runProcess("/usr/bin/cancel", ["-h", server.description, "-a", queue])

    let oursFigure = figure("render receipt (CJK + QR, 80 mm) + submit to cupsd", ours)
    let lpFigure = figure("lp submitting the same pre-rendered PDF", lp)
    var ratio = figure("ratio ours / lp (median)", [])
    ratio.samples = iterations
    ratio.medianMilliseconds = oursFigure.medianMilliseconds / lpFigure.medianMilliseconds
    ratio.p90Milliseconds = oursFigure.p90Milliseconds / lpFigure.p90Milliseconds
    return [figure("render receipt only", renderOnly), oursFigure, lpFigure, ratio]
}

private func figure(_ name: String, _ samples: [Duration]) -> PrintBenchmarkFigure {
    let milliseconds = samples.map { Double($0.components.seconds) * 1000 + Double($0.components.attoseconds) / 1e15 }
        .sorted()
    func percentile(_ p: Double) -> Double {
        milliseconds.isEmpty ? 0 : milliseconds[min(milliseconds.count - 1, Int(Double(milliseconds.count - 1) * p))]
    }
    return PrintBenchmarkFigure(
        name: name, samples: samples.count, medianMilliseconds: percentile(0.5), p90Milliseconds: percentile(0.9))
}

private func runLP(server: CUPSServer, queue: String, file: String) throws {
    try runProcess("/usr/bin/lp", ["-h", server.description, "-d", queue, "-H", "hold", "-t", "bench-lp", file])
}

private func runProcess(_ tool: String, _ arguments: [String]) throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: tool)
    process.arguments = arguments
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw CUPSError(.requestFailed, "\(tool) exited with status \(process.terminationStatus)")
    }
}
