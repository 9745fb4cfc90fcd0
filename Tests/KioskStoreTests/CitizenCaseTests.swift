import Foundation
import GRDB
import Logging
import Testing

@testable import KioskStore

@Suite("Receipt sequences, citizen lookup and sealing")
struct CitizenCaseTests {
    let logger = Logger(label: "test")

    func numbered(_ sequence: Int, key: String = "citizen-a", day: String = "20261123") -> NewCase {
        var newCase = sampleCase(sequence)
        newCase.id = "case-\(sequence)-\(UUID().uuidString)"
        newCase.receiptNumber = "410721-\(day)-0001-\(String(format: "%05d", sequence))-0"
        newCase.citizenKey = key
        return newCase
    }

    @Test("A day's sequence never gives a number twice, even after a case row is lost")
    func sequenceNeverRepeats() async throws {
        let folder = try TemporaryFolder()
        let store = try CaseStore(path: folder.file("kiosk.db"), logger: logger)
        let first = try await store.insertNumbered(dayTag: "20261123") { numbered($0) }
        let second = try await store.insertNumbered(dayTag: "20261123") { numbered($0) }
        #expect(first.receiptNumber.contains("-00001-") && second.receiptNumber.contains("-00002-"))
        // The newest case's rows disappear (a recovery that lost its page).
        try await store.database().writer.write { db in
            try db.execute(sql: "DELETE FROM outbox WHERE case_id = ?", arguments: [second.id])
            try db.execute(sql: "DELETE FROM kiosk_case WHERE id = ?", arguments: [second.id])
        }
        let third = try await store.insertNumbered(dayTag: "20261123") { numbered($0) }
        #expect(third.receiptNumber.contains("-00003-"), "number 2 was handed out once: never again")
        let otherDay = try await store.insertNumbered(dayTag: "20261124") { numbered($0, day: "20261124") }
        #expect(otherDay.receiptNumber.contains("-00001-"))
    }

    @Test("A citizen's cases are found by their key only, newest first")
    func lookup() async throws {
        let folder = try TemporaryFolder()
        let store = try CaseStore(path: folder.file("kiosk.db"), logger: logger)
        _ = try await store.insertNumbered(dayTag: "20261123") { numbered($0, key: "a") }
        _ = try await store.insertNumbered(dayTag: "20261123") { numbered($0, key: "b") }
        _ = try await store.insertNumbered(dayTag: "20261123") { numbered($0, key: "a") }
        let cases = try await store.cases(citizenKey: "a")
        #expect(cases.count == 2)
        #expect(cases.allSatisfy { !$0.receiptNumber.contains("-00002-") })
    }

    @Test("The lookup key file is private, stable, and taken over from an earlier seal.key; its hash hides the ID number")
    func lookupKey() throws {
        let folder = try TemporaryFolder()
        let earlier = folder.file("seal.key")
        let bytes = Data((0..<32).map { UInt8($0) })
        #expect(FileManager.default.createFile(atPath: earlier, contents: bytes, attributes: [.posixPermissions: 0o600]))
        let path = folder.file("lookup.key")
        let lookup = try CitizenLookup.loadOrCreate(at: path)
        #expect(!FileManager.default.fileExists(atPath: earlier) && FileManager.default.contents(atPath: path) == bytes)
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let key = lookup.citizenKey(idNumber: "110105199003071239")
        #expect(try CitizenLookup.loadOrCreate(at: path).citizenKey(idNumber: "110105199003071239") == key, "the same key after a restart")
        #expect(lookup.citizenKey(idNumber: "11010519900307123x") == lookup.citizenKey(idNumber: "11010519900307123X"))
        #expect(!key.contains("1101") && !key.contains("1239"))
        let fresh = try CitizenLookup.loadOrCreate(at: folder.file("other.key"))
        #expect(fresh.citizenKey(idNumber: "110105199003071239") != key, "another kiosk's key finds nobody here")
    }
}
