import Foundation
import KioskCore
import KioskFiles

/// Shared government data (共享数据, 电子证照) and earlier applications (历史申报) for invented
/// people, read from a YAML file: the reference platform's demo data, which it answers prefill
/// lookups from (and a kiosk without a platform reads, for a lab or the tests).
///
/// ```yaml
/// people:
///   "110105199003071239":
///     shared_data: {newborn.birth_date: "2026-11-18"}
///     earlier_application: {applicant.phone: "13800138000"}
/// ```
public struct SharedDataRecords: Sendable {
    private struct Contents: Decodable {
        struct Person: Decodable {
            var shared_data: [String: String]?
            var earlier_application: [String: String]?
        }
        var people: [String: Person]
    }

    private let people: [String: [FieldKey: SessionFieldValue]]

    public static func load(path: String) throws(FileProblem) -> SharedDataRecords {
        let file = try YAMLFile.load(path: path, plainScalars: true)
        guard let root = file.root else { return SharedDataRecords(people: [:]) }
        let contents = try file.decode(Contents.self, from: root)
        var people: [String: [FieldKey: SessionFieldValue]] = [:]
        for (idNumber, person) in contents.people {
            var values: [FieldKey: SessionFieldValue] = [:]
            for (key, value) in person.earlier_application ?? [:] {
                values[key] = SessionFieldValue(value: value, source: .earlierApplication)
            }
            // Shared data is authoritative where both know a field.
            for (key, value) in person.shared_data ?? [:] { values[key] = SessionFieldValue(value: value, source: .sharedData) }
            people[idNumber.uppercased()] = values
        }
        return SharedDataRecords(people: people)
    }

    private init(people: [String: [FieldKey: SessionFieldValue]]) { self.people = people }

    /// What is known of the person with `idNumber`, for `fields` only (nil: every field).
    public func values(forIDNumber idNumber: String, fields: Set<FieldKey>? = nil) -> [FieldKey: SessionFieldValue] {
        let known = people[idNumber.uppercased()] ?? [:]
        guard let fields else { return known }
        return known.filter { fields.contains($0.key) }
    }
}
