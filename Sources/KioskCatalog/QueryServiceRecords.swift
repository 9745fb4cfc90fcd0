import Foundation
import KioskCore
import KioskFiles

/// The query-and-print services (查询打印) a platform answers, and the records it answers them
/// from, read from a YAML file: the reference platform's demo data about invented people
/// (`Provisioning/examples/query-services.yaml`).
///
/// ```yaml
/// services:
///   - {id: no-criminal-record, name: 无犯罪记录证明, issuer: ..., cardTypes: [resident-id],
///      holds: ..., validDays: 90, statement: ...}
/// people:
///   "110105199003071239":
///     name: 林晓明
///     records:
///       no-criminal-record: []          # a record with nothing more to print than the statement
///       social-insurance-record:        # lines print in this order
///         - 参保地: 北京市朝阳区
/// ```
public struct QueryServiceRecords: Sendable {
    /// One service as published to kiosks and printed on its certificates.
    public struct Service: Sendable, Hashable, Codable {
        public var id: String
        public var name: String
        /// Who issues the certificate (printed as 出具单位).
        public var issuer: String
        /// The card types it takes.
        public var cardTypes: [IDCardType]
        /// What the document states, in the citizen's words (shown before the card is asked for).
        public var holds: String
        public var validDays: Int?
        /// The certificate's statement above its lines.
        public var statement: String
    }

    /// One line of a record: `参保状态: 正常参保`.
    public struct Line: Sendable, Hashable {
        public var label: String
        public var value: String
    }

    /// What the records hold of one person.
    public struct Person: Sendable, Hashable {
        public var name: String
        /// Service id → the record's lines; a service missing here has no record of the person.
        public var records: [String: [Line]]
    }

    public let services: [Service]
    private let people: [String: Person]

    private struct Contents: Decodable {
        struct Entry: Decodable {
            var id: String
            var name: String
            var issuer: String
            var cardTypes: [String]
            var holds: String
            var validDays: Int?
            var statement: String
        }
        struct Person: Decodable {
            var name: String
            var records: [String: [[String: String]]]?
        }
        var services: [Entry]
        var people: [String: Person]?
    }

    public init(services: [Service], people: [String: Person]) {
        self.services = services
        self.people = Dictionary(people.map { ($0.key.uppercased(), $0.value) }, uniquingKeysWith: { first, _ in first })
    }

    public static func load(path: String) throws(FileProblem) -> QueryServiceRecords {
        let file = try YAMLFile.load(path: path, plainScalars: true)
        guard let root = file.root else { throw FileProblem(SourceLocation(file: path, line: 1), "the file is empty: list the services") }
        let contents = try file.decode(Contents.self, from: root)
        var services: [Service] = []
        for entry in contents.services {
            let location = SourceLocation(file: path, line: 1)
            guard Self.isIdentifier(entry.id) else {
                throw FileProblem(location, "service id '\(entry.id)' must be 1–64 letters, digits, '.', '_' or '-'")
            }
            guard !services.contains(where: { $0.id == entry.id }) else {
                throw FileProblem(location, "service '\(entry.id)' is listed twice")
            }
            var types: [IDCardType] = []
            for name in entry.cardTypes {
                guard let type = IDCardType(rawValue: name) else {
                    throw FileProblem(
                        location,
                        "service '\(entry.id)': card type '\(name)' is not one of \(IDCardType.allCases.map(\.rawValue).joined(separator: ", "))"
                    )
                }
                types.append(type)
            }
            if let days = entry.validDays, !(1...3660).contains(days) {
                throw FileProblem(location, "service '\(entry.id)': validDays is 1 to 3660, not \(days)")
            }
            services.append(
                Service(
                    id: entry.id, name: entry.name, issuer: entry.issuer, cardTypes: types, holds: entry.holds, validDays: entry.validDays,
                    statement: entry.statement))
        }
        var people: [String: Person] = [:]
        for (idNumber, person) in contents.people ?? [:] {
            var records: [String: [Line]] = [:]
            for (service, lines) in person.records ?? [:] {
                guard services.contains(where: { $0.id == service }) else {
                    throw FileProblem(
                        SourceLocation(file: path, line: 1), "a record of \(person.name) names no listed service '\(service)'")
                }
                records[service] = lines.flatMap { $0.map { Line(label: $0.key, value: $0.value) } }
            }
            people[idNumber] = Person(name: person.name, records: records)
        }
        return QueryServiceRecords(services: services, people: people)
    }

    /// The person with `idNumber`, if the records know them.
    public func person(idNumber: String) -> Person? { people[idNumber.uppercased()] }

    /// The service `id`.
    public func service(_ id: String) -> Service? { services.first { $0.id == id } }

    static func isIdentifier(_ text: String) -> Bool {
        (1...64).contains(text.count) && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }
    }
}
