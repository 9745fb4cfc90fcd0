import Foundation

/// 查询打印: card placed to certificate fully printed (the cups-pdf job completed), median and
/// p95 of 20, with the real release kioskd and kiosk-platform over mutual TLS; baseline: `lp`
/// of the same certificate PDF to the same queue, until its job completed. Runs
/// `Tests/Screen/certificate_bench.py` (needs scripts/cups-test-env.sh, which `make bench` uses).
func runCertificateBenchmarks(binaries: String) async throws -> [BenchmarkResult] {
    guard ProcessInfo.processInfo.environment["KIOSK_TEST_CUPS_PDF_QUEUE"] != nil else {
        throw BenchmarkFailure("the certificate benchmark needs a cups-pdf queue: run it under scripts/cups-test-env.sh (make bench does)")
    }
    let checkout = FileManager.default.currentDirectoryPath
    let bench = Process()
    let pipe = Pipe()
    bench.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
    bench.arguments = [
        checkout + "/Tests/Screen/certificate_bench.py", "--binaries", binaries, "--checkout", checkout, "--samples", "20",
    ]
    bench.standardOutput = pipe
    try bench.run()
    let output = pipe.fileHandleForReading.readDataToEndOfFile()
    bench.waitUntilExit()
    guard let line = String(decoding: output, as: UTF8.self).split(separator: "\n").last(where: { $0.hasPrefix("BENCH ") }),
        let figures = try JSONSerialization.jsonObject(with: Data(line.dropFirst(6).utf8)) as? [String: Any]
    else {
        throw BenchmarkFailure("certificate_bench.py printed no figures (exit \(bench.terminationStatus))")
    }
    let ours = ((figures["oursMs"] as? [NSNumber]) ?? []).map(\.doubleValue)
    let lp = ((figures["lpMs"] as? [NSNumber]) ?? []).map(\.doubleValue)
    return [
        BenchmarkResult(
            name: "query and print: card → certificate printed (median of 20)", value: ours.median, unit: "ms", baseline: lp.median,
            baselineName: "lp of the same PDF, to completed", target: "< 3 s (seed: < 10 s)", met: ours.median < 3000),
        BenchmarkResult(
            name: "query and print: card → certificate printed (p95)", value: ours.percentile(0.95), unit: "ms",
            baseline: lp.percentile(0.95), baselineName: "lp p95", target: "< 3 s", met: ours.percentile(0.95) < 3000),
    ]
}
