// Entry point until the shared benchmark runner lands: prints the engine's figures.
// Usage: kiosk-bench [CHECKOUT_DIR]  (the directory holding Provisioning/).
import Foundation

let checkout = CommandLine.arguments.dropFirst().first ?? FileManager.default.currentDirectoryPath
do {
    let figures = try runEngineBenchmarks(
        catalog: checkout + "/Provisioning/catalog", calendar: checkout + "/Provisioning/calendar")
    for figure in figures {
        print("\(figure.name): \(String(format: "%.3f", figure.value)) \(figure.unit)")
    }
} catch {
    FileHandle.standardError.write(Data("engine benchmarks failed: \(error)\n".utf8))
    exit(1)
}
