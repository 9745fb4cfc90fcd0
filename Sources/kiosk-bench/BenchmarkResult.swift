import Foundation

/// One figure of `make bench`: ours, the baseline measured in the same run, and the target.
struct BenchmarkResult {
    var name: String
    /// Our figure.
    var value: Double
    var unit: String
    /// The same work done by the reference tool, in the same run (`sqlite3`, `lp`...).
    var baseline: Double?
    var baselineName: String?
    /// The issue's target, in words (`< 300 ms median`).
    var target: String
    /// Whether the target is met.
    var met: Bool

    /// Our figure over the baseline's (for times: how many times slower we are).
    var ratio: Double? { baseline.map { $0 == 0 ? .infinity : value / $0 } }
}

/// Statistics over repeated measurements.
extension Array where Element == Double {
    var median: Double {
        guard !isEmpty else { return .nan }
        let sorted = self.sorted()
        return count % 2 == 1 ? sorted[count / 2] : (sorted[count / 2 - 1] + sorted[count / 2]) / 2
    }

    func percentile(_ p: Double) -> Double {
        guard !isEmpty else { return .nan }
        let sorted = self.sorted()
        return sorted[Swift.min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))]
    }
}

/// Prints results as an aligned table, with the ratio to the baseline where there is one.
func printTable(_ results: [BenchmarkResult]) {
    func format(_ value: Double) -> String {
        if value.isNaN { return "n/a" }
        if value >= 1000 { return String(format: "%.0f", value) }
        if value >= 10 { return String(format: "%.1f", value) }
        return String(format: "%.3f", value)
    }
    let header = ["benchmark", "ours", "baseline", "ratio", "target", "met"]
    var rows: [[String]] = [header]
    for result in results {
        rows.append([
            result.name, "\(format(result.value)) \(result.unit)",
            result.baseline.map { "\(format($0)) \(result.unit) (\(result.baselineName ?? ""))" } ?? "-",
            result.ratio.map { String(format: "%.2f×", $0) } ?? "-", result.target, result.met ? "yes" : "NO",
        ])
    }
    let widths = header.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
    for (index, row) in rows.enumerated() {
        print(row.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }.joined(separator: "  "))
        if index == 0 { print(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")) }
    }
}
