import Foundation

/// The citizen's screen: card to prefilled form in headless Chromium (baseline: the same visit
/// watched through the local API without a browser), daemon event to redrawn page, and a
/// scripted citizen's touches and time. Runs `Tests/Screen/screen_bench.py` against a
/// `kioskd demo` of the release build.
func runScreenBenchmarks(binaries: String) async throws -> [BenchmarkResult] {
    let checkout = FileManager.default.currentDirectoryPath
    let state = NSTemporaryDirectory() + "kiosk-bench-screen-\(getpid())"
    defer { try? FileManager.default.removeItem(atPath: state) }
    let port = 18_000 + Int(getpid() % 1000)
    let daemon = Process()
    daemon.executableURL = URL(fileURLWithPath: binaries + "/kioskd")
    daemon.arguments = ["demo", "--port", "\(port)", "--state-dir", state]
    daemon.standardOutput = FileHandle.nullDevice
    daemon.standardError = FileHandle.nullDevice
    try daemon.run()
    defer {
        daemon.terminate()
        daemon.waitUntilExit()
    }
    let base = "http://127.0.0.1:\(port)"
    // Ready when the receipt printer has answered (the demo's devices are all up).
    for _ in 0..<100 {
        if let data = try? Data(contentsOf: URL(string: base + "/api/v1/status")!),
            String(decoding: data, as: UTF8.self).contains("\"acceptingCases\":true")
        {
            break
        }
        try await Task.sleep(for: .milliseconds(200))
    }
    let bench = Process()
    let pipe = Pipe()
    bench.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
    bench.arguments = [checkout + "/Tests/Screen/screen_bench.py", "--url", base, "--samples", "20"]
    bench.standardOutput = pipe
    try bench.run()
    let output = pipe.fileHandleForReading.readDataToEndOfFile()
    bench.waitUntilExit()
    guard let line = String(decoding: output, as: UTF8.self).split(separator: "\n").last(where: { $0.hasPrefix("BENCH ") }),
        let figures = try JSONSerialization.jsonObject(with: Data(line.dropFirst(6).utf8)) as? [String: Any]
    else {
        throw BenchmarkFailure("screen_bench.py printed no figures (is chromium-driver installed?)")
    }
    let browser = ((figures["cardToFormBrowserMs"] as? [NSNumber]) ?? []).map(\.doubleValue)
    let api = ((figures["cardToFormAPIMs"] as? [NSNumber]) ?? []).map(\.doubleValue)
    let lags = ((figures["eventToDomMs"] as? [NSNumber]) ?? []).map(\.doubleValue)
    let touches = (figures["citizenTouches"] as? NSNumber)?.doubleValue ?? .nan
    let seconds = (figures["citizenSeconds"] as? NSNumber)?.doubleValue ?? .nan
    return [
        BenchmarkResult(
            name: "card → prefilled form in Chromium (median)", value: browser.median, unit: "ms", baseline: api.median,
            baselineName: "same via API polling", target: "< 300 ms", met: browser.median < 300),
        BenchmarkResult(
            name: "session event → DOM update (p95)", value: lags.percentile(0.95), unit: "ms", target: "< 50 ms",
            met: lags.percentile(0.95) < 50),
        BenchmarkResult(name: "scripted 新生儿出生: touches", value: touches, unit: "touches", target: "< 20", met: touches < 20),
        BenchmarkResult(
            name: "scripted 新生儿出生: kiosk time", value: seconds, unit: "s", target: "< 180 s", met: seconds < 180),
    ]
}
