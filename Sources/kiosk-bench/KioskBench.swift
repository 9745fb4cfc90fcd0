import ArgumentParser
import Foundation

/// `make bench`: every figure the issues ask for, each beside a baseline measured in the same
/// run on this machine, so that the ratios mean something whatever the machine.
@main
struct KioskBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kiosk-bench", abstract: "Measure kioskd against baselines run on the same machine.")

    @Option(name: .long, help: "Only the benchmark groups whose names contain this (daemon, store...).")
    var only: String?

    @Option(name: .long, help: "Seconds of idle CPU measurement (the target is over a minute).")
    var idleSeconds: Int = 60

    @Option(name: .long, help: "Folder with the release binaries (kioskd).")
    var binaries: String = ".build/release"

    func run() async throws {
        var results: [BenchmarkResult] = []
        let groups: [(String, () async throws -> [BenchmarkResult])] = [
            ("daemon", { try await DaemonBenchmarks(binaries: binaries, idleSeconds: idleSeconds).run() }),
            ("store", { try await StoreBenchmarks().run() }),
            ("engine", { try engineResults() }),
            ("touch", { try await runTouchBenchmarks() }),
            ("idcard", { try await runIDCardBenchmarks() }),
            ("print", { try await runPrintBenchmarks() }),
            ("screen", { try await runScreenBenchmarks(binaries: binaries) }),
            ("platform", { try await PlatformBenchmarks().run() }),
            ("relay", { try await RelayBenchmarks(binaries: binaries).run() }),
            ("certificate", { try await runCertificateBenchmarks(binaries: binaries) }),
            ("guidance", { try await runGuidanceBenchmarks() }),
        ]
        for (name, group) in groups where only.map({ name.contains($0) }) ?? true {
            FileHandle.standardError.write(Data("measuring \(name)...\n".utf8))
            results += try await group()
        }
        printTable(results)
    }
}

/// The engine's figures against the targets (absolute: nothing else computes them).
func engineResults() throws -> [BenchmarkResult] {
    let checkout = FileManager.default.currentDirectoryPath
    let figures = try runEngineBenchmarks(catalog: checkout + "/Provisioning/catalog", calendar: checkout + "/Provisioning/calendar")
    return figures.compactMap { figure in
        if figure.name.hasPrefix("catalog") && figure.name.hasSuffix("median") {
            return BenchmarkResult(name: figure.name, value: figure.value, unit: figure.unit, target: "< 50 ms", met: figure.value < 50)
        }
        if figure.name == "working-day deadlines" {
            return BenchmarkResult(
                name: figure.name, value: figure.value, unit: figure.unit, target: "≥ 1,000,000/s", met: figure.value >= 1_000_000)
        }
        guard !figure.unit.isEmpty else { return nil }
        return BenchmarkResult(name: figure.name, value: figure.value, unit: figure.unit, target: "-", met: true)
    }
}
