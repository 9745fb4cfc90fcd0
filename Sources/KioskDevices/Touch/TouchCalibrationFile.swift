import Foundation
import KioskCore
import KioskFiles

/// Stores a calibration in the kiosk's configuration as `touch: calibration: [a, b, c, d, e, f]`,
/// editing the file's text in place so that the technician's comments and layout survive.
public enum TouchCalibrationFile {
    /// The six values as YAML writes them (`[1.02, 0, -0.012, 0, 0.98, 0.01]`).
    public static func yamlList(_ matrix: CalibrationMatrix) -> String {
        "[" + matrix.values.map(number).joined(separator: ", ") + "]"
    }

    /// A standalone snippet for the configuration.
    public static func snippet(_ matrix: CalibrationMatrix) -> String {
        "touch:\n  calibration: \(yamlList(matrix))\n"
    }

    /// A value with up to six decimals and no trailing zeros.
    public static func number(_ value: Double) -> String {
        var text = String(format: "%.6f", value)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text == "-0" ? "0" : text
    }

    /// `text` with the calibration set: an existing `touch.calibration` is replaced, a `touch:`
    /// section gets the key, and a file without one gets the section appended.
    public static func updating(_ text: String, with matrix: CalibrationMatrix, file: String) throws(TouchError) -> String {
        var lines = text.isEmpty ? [] : text.components(separatedBy: "\n")
        if lines.last == "" { lines.removeLast() }
        let value = yamlList(matrix)
        func indentation(_ line: String) -> Int { line.prefix { $0 == " " }.count }
        func isBlankOrComment(_ line: String) -> Bool {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            return trimmed.isEmpty || trimmed.hasPrefix("#")
        }
        if let touchLine = lines.firstIndex(where: { $0.hasPrefix("touch:") }) {
            let rest = lines[touchLine].dropFirst("touch:".count).trimmingCharacters(in: .whitespaces)
            guard rest.isEmpty || rest.hasPrefix("#") else {
                throw TouchError(
                    .calibration, "the touch section is written on one line; set touch.calibration to \(value) by hand",
                    location: SourceLocation(file: file, line: touchLine + 1))
            }
            var end = touchLine + 1
            while end < lines.count, isBlankOrComment(lines[end]) || indentation(lines[end]) > 0 { end += 1 }
            let children = (touchLine + 1..<end).filter { !isBlankOrComment(lines[$0]) }
            let indent = children.first.map { indentation(lines[$0]) } ?? 2
            let pad = String(repeating: " ", count: indent)
            if let existing = children.first(where: {
                indentation(lines[$0]) == indent && lines[$0].dropFirst(indent).hasPrefix("calibration:")
            }) {
                // Remove a block-style list under the key, if it was written that way.
                var last = existing
                while last + 1 < end, isBlankOrComment(lines[last + 1]) || indentation(lines[last + 1]) > indent {
                    last += 1
                }
                lines.replaceSubrange(existing...last, with: ["\(pad)calibration: \(value)"])
            } else {
                lines.insert("\(pad)calibration: \(value)", at: touchLine + 1)
            }
        } else {
            if let last = lines.last, !last.isEmpty { lines.append("") }
            lines.append("touch:")
            lines.append("  calibration: \(value)")
        }
        let result = lines.joined(separator: "\n") + "\n"
        // Read it back the way the daemon will, so a file we broke is never written.
        struct Check: Decodable {
            struct Touch: Decodable { var calibration: [Double] }
            var touch: Touch
        }
        do throws(FileProblem) {
            let check = try YAMLFile(text: result, file: file).decode(Check.self)
            guard let stored = CalibrationMatrix(check.touch.calibration), stored.isClose(to: matrix, tolerance: 1e-6) else {
                throw FileProblem(SourceLocation(file: file, line: 1), "the calibration did not read back")
            }
        } catch {
            throw TouchError(.calibration, "the configuration could not be updated safely: \(error.message)", location: error.location)
        }
        return result
    }

    /// Writes the calibration into the configuration file at `path` (created if missing),
    /// atomically, keeping everything else in it.
    public static func store(_ matrix: CalibrationMatrix, in path: String) throws(TouchError) {
        let existing: String
        if FileManager.default.fileExists(atPath: path) {
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                throw TouchError(.calibration, "cannot read \(path)")
            }
            existing = text
        } else {
            existing = ""
        }
        let updated = try updating(existing, with: matrix, file: path)
        do {
            try Data(updated.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw TouchError(.calibration, "cannot write \(path)", cause: error)
        }
    }
}

/// Collects calibration touches: the taps seen, in panel orientation but without the old
/// calibration, one per target in order.
public struct CalibrationSession: Sendable {
    public let targets: [TouchPoint]
    public private(set) var touches: [TouchPoint] = []

    public init(targets: [TouchPoint] = CalibrationFit.standardTargets()) {
        self.targets = targets
    }

    /// The target to touch next, or `nil` when all are done.
    public var nextTarget: TouchPoint? { touches.count < targets.count ? targets[touches.count] : nil }

    /// Takes the taps out of `outputs`; returns how many were used.
    @discardableResult
    public mutating func take(_ outputs: [TouchOutput]) -> Int {
        var used = 0
        for case let .gesture(gesture) in outputs where gesture.kind == .tap && gesture.fingers == 1 && nextTarget != nil {
            touches.append(gesture.point)
            used += 1
        }
        return used
    }

    /// The calibration, once every target was touched.
    public func fit() throws(CalibrationError) -> CalibrationFit {
        try CalibrationFit(samples: zip(targets, touches).map { CalibrationSample(target: $0, touch: $1) })
    }

    /// The configuration to collect touches with: the site's rotation and mirror, but not its
    /// old calibration, which the new one replaces.
    public static func configuration(
        profile: TouchProfileSettings, site: TouchSiteSettings
    ) throws(TouchError)
        -> TouchConfiguration
    {
        var uncalibrated = site
        uncalibrated.calibration = nil
        return try TouchConfiguration(profile: profile, site: uncalibrated)
    }
}
