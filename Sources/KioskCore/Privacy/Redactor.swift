import Foundation
import Synchronization

/// Keeps personal data out of log lines, error reports and crash output.
///
/// Three layers, because any one of them alone leaks:
/// 1. **Keys**: metadata under a personal key (`name`, `id_number`, `address`, …) is replaced.
/// 2. **Patterns**: anything shaped like a resident ID number, a passport-style permit number or
///    a mobile phone number is replaced wherever it appears.
/// 3. **Live values**: while a citizen's session is open, the values read from their card
///    (name, address, ...) are registered with ``remember(_:)``, and every occurrence is
///    replaced, so even a name that no pattern could recognise never reaches a log line.
public final class Redactor: Sendable {
    /// What replaces a personal value.
    public static let mask = "[redacted]"

    /// Metadata keys (or the last component of a dotted key) that always hold personal data.
    public static let personalKeys: Set<String> = [
        "name", "names", "citizen", "applicant", "id_number", "idnumber", "address", "phone",
        "mobile", "birth", "birthdate", "birth_date", "photo", "fingerprint", "signature", "card",
        "passport", "permit_number", "english_name", "chinese_name",
    ]

    // Guards the live values of open sessions; scrubbing reads a snapshot.
    private let live = Mutex<[String: Int]>([:])

    public init() {}

    /// Registers personal values (a card's name, address...) for as long as the session lives.
    /// Values shorter than two characters are ignored: they would mask ordinary words.
    public func remember(_ values: [String]) {
        live.withLock { table in
            for value in values where value.count >= 2 { table[value, default: 0] += 1 }
        }
    }

    /// Unregisters values remembered for a session that has ended.
    public func forget(_ values: [String]) {
        live.withLock { table in
            for value in values where value.count >= 2 {
                if let count = table[value], count > 1 { table[value] = count - 1 } else { table[value] = nil }
            }
        }
    }

    /// Whether a metadata key names personal data (`citizen.name`, `id_number`, ...).
    public func isPersonalKey(_ key: String) -> Bool {
        let lower = key.lowercased()
        if Self.personalKeys.contains(lower) { return true }
        if let last = lower.split(separator: ".").last, Self.personalKeys.contains(String(last)) { return true }
        return false
    }

    /// `text` with every personal value and pattern replaced by ``mask``.
    public func scrub(_ text: String) -> String {
        var result = text
        let values = live.withLock { Array($0.keys) }
        // Longest first, so that a full name is masked before a part of it.
        for value in values.sorted(by: { $0.count > $1.count }) where result.contains(value) {
            result = result.replacingAll(value, with: Self.mask)
        }
        return Self.scrubPatterns(result)
    }

    /// Replaces ID-number-, permit- and phone-shaped runs. Pure and allocation-free when the
    /// text has no long digit run, which is the common case for log lines.
    static func scrubPatterns(_ text: String) -> String {
        let scalars = Array(text.unicodeScalars)
        var output = String.UnicodeScalarView()
        var index = 0
        var changed = false
        while index < scalars.count {
            let scalar = scalars[index]
            guard scalar.isASCIIDigit, index == 0 || !scalars[index - 1].isASCIIAlphanumeric else {
                output.append(scalar)
                index += 1
                continue
            }
            var end = index
            while end < scalars.count, scalars[end].isASCIIDigit { end += 1 }
            var runLength = end - index
            // An 18-character ID number ends in a digit or X.
            if runLength == 17, end < scalars.count, scalars[end] == "X" || scalars[end] == "x" {
                end += 1
                runLength += 1
            }
            let boundary = end == scalars.count || !scalars[end].isASCIIAlphanumeric
            let first = scalars[index]
            let isPhone = runLength == 11 && first == "1"
            let isIDNumber = runLength == 15 || runLength == 18
            if boundary && (isPhone || isIDNumber) {
                output.append(contentsOf: Self.mask.unicodeScalars)
                changed = true
            } else {
                output.append(contentsOf: scalars[index..<end])
            }
            index = end
        }
        return changed ? String(output) : text
    }
}

extension Unicode.Scalar {
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
    fileprivate var isASCIIAlphanumeric: Bool {
        isASCIIDigit || ("a"..."z").contains(self) || ("A"..."Z").contains(self)
    }
}

extension String {
    fileprivate func replacingAll(_ target: String, with replacement: String) -> String {
        var result = ""
        var rest = self[...]
        while let range = rest.range(of: target) {
            result += rest[..<range.lowerBound]
            result += replacement
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}
