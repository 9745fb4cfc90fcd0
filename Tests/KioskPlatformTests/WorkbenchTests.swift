import Foundation
import Hummingbird
import KioskCore
import KioskPlatform
import KioskSyncAPI
import ServiceLifecycle
import Testing

@Suite("The department workbench in headless Chromium", .timeLimit(.minutes(3)))
struct WorkbenchTests {
    @Test(
        "A department accepts an item, is told why a move without its reason is refused, and closes a 差评's follow-up",
        .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/chromedriver"), "needs chromium-driver (make test installs it)")
    )
    func inChromium() async throws {
        let platform = try await PlatformRig.start()
        let (_, kiosk) = try await platform.kiosk("KIOSK-0001")
        let upload = PlatformRig.upload()
        _ = try await kiosk.submitCases(body: .json(.init(cases: [upload]))).ok
        let rated = try await kiosk.submitRating(
            body: .json(.init(ratingID: "r-1", caseID: upload.caseID, level: 1, givenAt: Date()))
        ).ok.body.json
        #expect(rated.followUp == true)
        let newborn = try #require(PlatformRig.catalog.bundle("newborn"))
        let first = try #require(newborn.items.first { $0.dependsOn.isEmpty })
        let other = try #require(newborn.items.first { $0.id != first.id })

        let workbench = Workbench(
            storage: platform.storage, departments: platform.departments, catalog: PlatformRig.catalog, timeZone: PlatformRig.zone)
        let (ports, port) = AsyncStream<Int>.makeStream()
        let app = try PlatformServer.application(
            router: PlatformServer.workbenchRouter(workbench), host: "127.0.0.1", port: 0, logger: PlatformRig.logger
        ) { port.yield($0.localAddress?.port ?? 0) }
        let server = Task { try await app.run() }
        defer { server.cancel() }
        var iterator = ports.makeAsyncIterator()
        let bound = try #require(await iterator.next())

        let (status, output) = try await runScript([
            "\(PlatformRig.repository.path)/Tests/Platform/workbench_e2e.py", "--url", "http://127.0.0.1:\(bound)", "--case", upload.caseID,
            "--item", first.id, "--other-item", other.id,
        ])
        for line in output.split(separator: "\n") where line.hasPrefix("FAIL: ") { Issue.record("\(line.dropFirst(6))") }
        #expect(status == 0, "workbench_e2e.py: \(output.suffix(3000))")
        if status != 0 { print("workbench_e2e.py output:\n\(output)") }

        // What the browser did is what the platform holds.
        let stored = try #require(try await platform.storage.cases().first)
        #expect(stored.items.first { $0.id == first.id }?.stage == .accepted)
        #expect(stored.items.first { $0.id == other.id }?.stage == .notAccepted)
        let followUp = try #require(try await platform.storage.followUps().first)
        #expect(followUp.closedAt != nil && followUp.note == "已电话回访，补充了办理指引")
    }
}

/// Runs python3 with `arguments`; output goes through a file (a pipe left unread can block the script).
private func runScript(_ arguments: [String]) async throws -> (Int32, String) {
    let log = NSTemporaryDirectory() + "workbench-\(UUID().uuidString).log"
    _ = FileManager.default.createFile(atPath: log, contents: nil)
    defer { try? FileManager.default.removeItem(atPath: log) }
    let handle = try #require(FileHandle(forWritingAtPath: log))
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
    process.arguments = arguments
    process.standardOutput = handle
    process.standardError = handle
    let (done, finished) = AsyncStream<Void>.makeStream()
    process.terminationHandler = { _ in finished.finish() }
    try process.run()
    for await _ in done {}
    try handle.close()
    return (process.terminationStatus, (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
}
