import CDispatch  // timespec resolves to CDispatch's once the platform is linked in
import KioskCatalog
import KioskCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// CPU time of the calling thread, in milliseconds: on a shared machine it shows the work
/// done, where wall-clock time also counts waiting for a core.
private func threadCPUMilliseconds() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec)
    return Double(spec.tv_sec) * 1000 + Double(spec.tv_nsec) / 1e6
}

/// A measured figure of the 一件事 engine.
struct EngineBenchmarkFigure: Sendable {
    /// What was measured.
    var name: String
    /// The figure.
    var value: Double
    /// Its unit.
    var unit: String
}

/// The engine's benchmarks: loading, validating and compiling the whole catalog (target:
/// under 50 ms) and deadline computations (target: at least 1,000,000 per second).
/// `catalog` and `calendar` are the directories of `Provisioning/`.
func runEngineBenchmarks(catalog: String, calendar: String) throws -> [EngineBenchmarkFigure] {
    let clock = ContinuousClock()
    func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
    }

    // Load + validate + compile every bundle (+ KPI), best and median of 20 runs.
    var runs: [Double] = []
    var cpuRuns: [Double] = []
    var compiled = 0
    for _ in 0..<20 {
        let cpuStart = threadCPUMilliseconds()
        defer { cpuRuns.append(threadCPUMilliseconds() - cpuStart) }
        let elapsed = try clock.measure {
            let loaded = CatalogLoader.load(directory: catalog)
            guard loaded.problems.isEmpty else { throw CatalogLoadError(.invalidCatalog, "catalog has problems") }
            for bundle in loaded.catalog.bundles {
                let blueprint = try loaded.blueprint(bundle.id)
                compiled += BundleKPI(blueprint).formFields > 0 ? 1 : 0
            }
        }
        runs.append(milliseconds(elapsed))
    }
    runs.sort()
    cpuRuns.sort()

    // Deadline computations over two years of start dates and limits of 1–30 working days.
    let workingCalendar = try CalendarLoader.load(directory: calendar)
    guard let first = CivilDate(iso: "2025-01-01") else { return [] }
    let count = 5_000_000
    var checksum = 0
    let deadlineTime = clock.measure {
        for index in 0..<count {
            let start = first.adding(days: index % 700)
            checksum &+= workingCalendar.adding(workingDays: 1 + index % 30, to: start).date.dayNumber
        }
    }
    // With a clock stop, the common case of a supplement request.
    let stopCount = 1_000_000
    let stopTime = clock.measure {
        for index in 0..<stopCount {
            let start = first.adding(days: index % 700)
            let stop = ClockStop(first: start.adding(days: 3), last: start.adding(days: 9), reason: .supplement)
            checksum &+= workingCalendar.adding(20, .working, to: start, stoppedDuring: [stop]).date.dayNumber
        }
    }
    // Whole-bundle schedules (retirement: 9 items, 3 stages).
    let loaded = CatalogLoader.load(directory: catalog)
    let retirement = try loaded.blueprint("retirement")
    let scheduleCount = 100_000
    let scheduleTime = clock.measure {
        for index in 0..<scheduleCount {
            checksum &+=
                retirement.schedule(from: first.adding(days: index % 700), calendar: workingCalendar)
                .promisedDeadline.date.dayNumber
        }
    }
    let perSecond = { (n: Int, d: Duration) in Double(n) / (milliseconds(d) / 1000) }
    return [
        EngineBenchmarkFigure(name: "catalog load+validate+compile (21 bundles), best", value: runs[0], unit: "ms"),
        EngineBenchmarkFigure(name: "catalog load+validate+compile (21 bundles), median", value: runs[runs.count / 2], unit: "ms"),
        EngineBenchmarkFigure(
            name: "catalog load+validate+compile (21 bundles), median CPU time", value: cpuRuns[cpuRuns.count / 2], unit: "ms"),
        EngineBenchmarkFigure(name: "working-day deadlines", value: perSecond(count, deadlineTime), unit: "/s"),
        EngineBenchmarkFigure(name: "working-day deadlines with a clock stop", value: perSecond(stopCount, stopTime), unit: "/s"),
        EngineBenchmarkFigure(name: "bundle schedules (retirement, 9 items)", value: perSecond(scheduleCount, scheduleTime), unit: "/s"),
        EngineBenchmarkFigure(name: "checksum (ignore)", value: Double(checksum % 1000 + compiled), unit: ""),
    ]
}
