import Foundation
import KioskDevices
import KioskDocuments

/// Renders a receipt (CJK text and QR code) and submits it to cupsd through the streaming
/// API, against the baseline of `lp` submitting the same, already rendered PDF, measured
/// in the same run and interleaved so both see the same machine load.
///
/// Targets: median under 150 ms, and at most 1.5 × `lp`. Jobs are submitted held
/// (`job-hold-until=indefinite`, `lp -H hold`) so that printing them does not load the
/// machine during the measurement; they are cancelled afterwards.
///
/// It runs against the private cupsd of `scripts/cups-test-env.sh` (`make bench` starts it),
/// found through `CUPS_SERVER` and `KIOSK_TEST_CUPS_PDF_QUEUE`; without them it reports nothing.
func runPrintBenchmarks(iterations: Int = 40) async throws -> [BenchmarkResult] {
    let environment = ProcessInfo.processInfo.environment
    guard let serverText = environment["CUPS_SERVER"], let server = CUPSServer(serverText),
        let queue = environment["KIOSK_TEST_CUPS_PDF_QUEUE"]
    else {
        FileHandle.standardError.write(Data("print: skipped, run under scripts/cups-test-env.sh (make bench does)\n".utf8))
        return []
    }
    return try await runPrintBenchmarks(
        server: server, queue: queue, templates: "Provisioning/templates", example: "Provisioning/examples/receipt.json",
        iterations: iterations)
}

func runPrintBenchmarks(
    server: CUPSServer, queue: String, templates: String, example: String, iterations: Int
) async throws -> [BenchmarkResult] {
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

    let oursMedian = milliseconds(ours).median
    let lpMedian = milliseconds(lp).median
    return [
        BenchmarkResult(
            name: "print: render receipt (CJK + QR, 80 mm) only, median", value: milliseconds(renderOnly).median,
            unit: "ms", baseline: nil, baselineName: nil, target: "-", met: true),
        BenchmarkResult(
            name: "print: render receipt + submit to cupsd, median", value: oursMedian, unit: "ms",
            baseline: lpMedian, baselineName: "lp, same PDF pre-rendered",
            target: "< 150 ms and ≤ 1.5× lp", met: oursMedian < 150 && oursMedian <= 1.5 * lpMedian),
        BenchmarkResult(
            name: "print: render receipt + submit to cupsd, p90", value: milliseconds(ours).percentile(0.9), unit: "ms",
            baseline: milliseconds(lp).percentile(0.9), baselineName: "lp p90", target: "-", met: true),
    ]
}

private func milliseconds(_ samples: [Duration]) -> [Double] {
    samples.map { Double($0.components.seconds) * 1000 + Double($0.components.attoseconds) / 1e15 }
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
