import Foundation
import KioskAPI
import KioskConfig
import KioskCore
import KioskFiles
import KioskServer
import KioskSession

/// Shared government data and earlier applications for a few invented people, read from a
/// YAML file: what the platform would answer, for `kioskd demo` and the tests, offline.
///
/// ```yaml
/// people:
///   "110105199003071239":
///     shared_data: {newborn.birth_date: "2026-11-18"}
///     earlier_application: {applicant.phone: "13800138000"}
/// ```
struct SharedDataFile: PrefillSourceLookup {
    private struct Contents: Decodable {
        struct Person: Decodable {
            var shared_data: [String: String]?
            var earlier_application: [String: String]?
        }
        var people: [String: Person]
    }

    private let people: [String: [FieldKey: SessionFieldValue]]

    static func load(path: String) throws(FileProblem) -> SharedDataFile {
        let file = try YAMLFile.load(path: path, plainScalars: true)
        guard let root = file.root else { return SharedDataFile(people: [:]) }
        let contents = try file.decode(Contents.self, from: root)
        var people: [String: [FieldKey: SessionFieldValue]] = [:]
        for (idNumber, person) in contents.people {
            var values: [FieldKey: SessionFieldValue] = [:]
            for (key, value) in person.earlier_application ?? [:] {
                values[key] = SessionFieldValue(value: value, source: .earlierApplication)
            }
            for (key, value) in person.shared_data ?? [:] { values[key] = SessionFieldValue(value: value, source: .sharedData) }
            people[idNumber.uppercased()] = values
        }
        return SharedDataFile(people: people)
    }

    private init(people: [String: [FieldKey: SessionFieldValue]]) { self.people = people }

    func values(forIDNumber idNumber: String) async -> [FieldKey: SessionFieldValue] {
        people[idNumber.uppercased()] ?? [:]
    }
}
