import Foundation
import Glibc
import KioskCore
import KioskDevices

/// The repository's root, found from this file's path.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

/// The sample card files shipped for the simulator.
let sampleCardFiles = [
    "resident-id.yaml", "resident-id-long-term.yaml", "hmt-residence-permit.yaml",
    "foreign-permanent-resident-2017.yaml", "foreign-permanent-resident-2023.yaml",
]

/// Loads a sample card by file name.
func sampleCard(_ name: String) throws -> SimulatedCard {
    try SampleCardFile.load(path: "\(repositoryRoot)/Devices/idcard/cards/\(name)")
}

/// A simulator on a real pseudo-terminal and a serial transport opened on it; stopped after `body`.
func withSimulatorOnPTY<T>(
    card: SimulatedCard? = nil, timeouts: SAMTimeouts = patientTimeouts, retries: Int = 1,
    _ body: (SimulatedSAM, SAMReader, SAMSimulatorServer) async throws -> T
) async throws -> T {
    let sam = SimulatedSAM(card: card)
    let server = try SAMSimulatorServer.pseudoTerminal(sam: sam)
    server.start()
    defer { server.stop() }
    let transport = try SerialSAMTransport(path: try require(server.path))
    let reader = SAMReader(transport: transport, timeouts: timeouts, retriesOnLineNoise: retries)
    do {
        let result = try await body(sam, reader, server)
        await reader.close()
        return result
    } catch {
        await reader.close()
        throw error
    }
}

/// Timeouts no loaded test machine misses (the simulator answers from a thread of its own,
/// but a pty round trip has taken longer than a field reader's 200 ms here). A test about a
/// timeout shortens only the command it expects to time out.
var patientTimeouts: SAMTimeouts {
    var timeouts = SAMTimeouts()
    let patient = Duration.seconds(10)
    timeouts.findCard = patient
    timeouts.selectCard = patient
    timeouts.read = patient
    timeouts.readWithFingerprint = patient
    timeouts.additionalAddress = patient
    timeouts.samID = patient
    timeouts.samStatus = patient
    timeouts.reset = patient
    timeouts.setBaudRate = patient
    return timeouts
}

/// Timeouts short enough for tests that wait for a timeout to happen.
var shortTimeouts: SAMTimeouts {
    var timeouts = SAMTimeouts()
    timeouts.findCard = .milliseconds(300)
    timeouts.selectCard = .milliseconds(300)
    timeouts.read = .milliseconds(600)
    timeouts.additionalAddress = .milliseconds(300)
    return timeouts
}

struct RequireFailure: Error {}

/// `#require` for a path outside a test macro context.
func require<T>(_ value: T?) throws -> T {
    guard let value else { throw RequireFailure() }
    return value
}
