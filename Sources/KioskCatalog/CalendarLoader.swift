import Foundation
import KioskCore
import KioskFiles

/// The holiday data could not be loaded; every problem is located.
public struct CalendarLoadError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure; a struct wrapping a private enum so that codes can grow without
    /// breaking `switch`es.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case unreadable
            case invalid
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The directory or one of its files cannot be read.
        public static let unreadable = Code(.unreadable)
        /// A file breaks the format, or the years contradict each other.
        public static let invalid = Code(.invalid)

        /// The code as it appears in JSON and logs.
        public var description: String { base.rawValue }
    }

    /// The kind of failure.
    public var code: Code
    /// Every problem, one per line, for a technician.
    public var message: String
    /// Every problem found, at its `file:line:column`.
    public var problems: [FileProblem]
    /// The underlying cause (a ``CalendarError``), for logs.
    public var cause: (any Error & Sendable)?

    /// Creates an error.
    public init(_ code: Code, _ message: String, problems: [FileProblem], cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.problems = problems
        self.cause = cause
    }

    /// An error whose message lists `problems`, one per line.
    public init(_ code: Code, problems: [FileProblem], cause: (any Error & Sendable)? = nil) {
        self.init(code, problems.map(\.description).joined(separator: "\n"), problems: problems, cause: cause)
    }

    /// One problem per line.
    public var description: String { message }
}

/// Reads the working-day calendar from a directory of yearly files (`2025.yaml`, …), each the
/// State Council's arrangement for one year:
///
/// ```yaml
/// year: 2026
/// notice: 国办发明电〔2025〕7号
/// days_off:
///   - {name: 元旦, from: 2026-01-01, to: 2026-01-03}
/// working_weekends: [2026-01-04]
/// ```
///
/// A later year is added by dropping its file in the directory (the platform pushes it).
public enum CalendarLoader {
    static let shape: YAMLShape = .mapping([
        "year": .scalar, "notice": .scalar, "published": .scalar, "source": .scalar, "verified": .scalar,
        "days_off": .list(.mapping(["name": .scalar, "from": .scalar, "to": .scalar])),
        "working_weekends": .list(.scalar),
    ])

    /// Loads every `*.yaml` file in `directory` into one calendar.
    public static func load(directory: String) throws(CalendarLoadError) -> WorkingDayCalendar {
        let base = directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: base) else {
            throw CalendarLoadError(
                .unreadable, problems: [FileProblem(SourceLocation(file: base, line: 1), "is not a calendar directory")])
        }
        var texts: [(String, String)] = []
        var problems: [FileProblem] = []
        for name in names.sorted() where name.hasSuffix(".yaml") || name.hasSuffix(".yml") {
            let path = "\(base)/\(name)"
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8)
            else {
                problems.append(FileProblem(SourceLocation(file: path, line: 1), "cannot be read as UTF-8 text"))
                continue
            }
            texts.append((path, text))
        }
        guard problems.isEmpty else { throw CalendarLoadError(.unreadable, problems: problems) }
        return try load(files: texts)
    }

    /// Loads arrangements from `(file name, YAML text)` pairs.
    public static func load(files: [(name: String, text: String)]) throws(CalendarLoadError) -> WorkingDayCalendar {
        var problems: [FileProblem] = []
        var arrangements: [HolidayArrangement] = []
        var yearNodes: [Int: SourceLocation] = [:]
        for (name, text) in files {
            let file: YAMLFile
            do {
                file = try YAMLFile(text: text, file: name, plainScalars: true)
            } catch {
                problems.append(error)
                continue
            }
            var reader = NodeReader(file)
            reader.checkKeys(shape)
            if let arrangement = read(file, &reader) {
                if let other = yearNodes[arrangement.year] {
                    reader.report(file.child("year", of: file.root), "year \(arrangement.year) is already given in \(other)")
                } else {
                    yearNodes[arrangement.year] = file.location(of: file.child("year", of: file.root))
                    arrangements.append(arrangement)
                }
            }
            problems += reader.problems
        }
        guard problems.isEmpty else { throw CalendarLoadError(.invalid, problems: problems) }
        do {
            return try WorkingDayCalendar(arrangements: arrangements)
        } catch {
            let location = yearNodes[error.year] ?? SourceLocation(file: files.first?.name ?? "calendar", line: 1)
            throw CalendarLoadError(.invalid, problems: [FileProblem(location, error.message)], cause: error)
        }
    }

    private static func read(_ file: YAMLFile, _ reader: inout NodeReader) -> HolidayArrangement? {
        guard let root = reader.mapping(file.root, "a holiday arrangement") else {
            if file.root == nil { reader.report(nil, "the file is empty") }
            return nil
        }
        let year = reader.integer(root, "year", in: "the arrangement")
        let notice = reader.string(root, "notice", in: "the arrangement")
        var periods: [HolidayArrangement.Period] = []
        for entry in reader.list(root, "days_off", in: "the arrangement") ?? [] {
            guard let mapping = reader.mapping(entry, "a holiday") else { continue }
            let name = reader.string(mapping, "name", in: "a holiday")
            let from = reader.date(mapping, "from", in: "a holiday")
            let to = reader.date(mapping, "to", in: "a holiday")
            guard let name, let from, let to else { continue }
            if let year, from.year != year || to.year != year {
                reader.report(entry, "holiday \(name) must lie within \(year)")
                continue
            }
            if to < from {
                reader.report(mapping.node("to"), "holiday \(name) ends before it starts")
                continue
            }
            periods.append(HolidayArrangement.Period(name: name, first: from, last: to))
        }
        var weekends: [CivilDate] = []
        for node in reader.list(root, "working_weekends", in: "the arrangement", required: false) ?? [] {
            guard let date = reader.date(node, "a working weekend") else { continue }
            if !date.isWeekend {
                reader.report(node, "\(date) is not a Saturday or Sunday, so it cannot be a working weekend")
                continue
            }
            if let year, date.year != year {
                reader.report(node, "\(date) is not in \(year)")
                continue
            }
            weekends.append(date)
        }
        guard let year, let notice else { return nil }
        return HolidayArrangement(year: year, notice: notice, daysOff: periods, workingWeekends: weekends)
    }
}
