// placeholder while dependencies build
// Until the lead's kiosk-bench entry point lands, run the ID card benchmarks so the target links
// (an executable with two files needs an explicit entry point).
@main
enum KioskBenchPlaceholder {
    static func main() async throws {
        for figure in try await runIDCardBenchmarks() { print(figure) }
    }
}
