/// The platform's own number for a delivered case: `P` and its ten-digit sequence.
enum PlatformReceipt {
    static func text(_ sequence: Int64) -> String {
        let digits = String(sequence)
        return "P" + String(repeating: "0", count: max(0, 10 - digits.count)) + digits
    }
}
