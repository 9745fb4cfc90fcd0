import AsyncHTTPClient
import Foundation
import KioskCore
import KioskSession
import KioskSyncAPI
import Logging

/// Prefill from the platform (一人一档): shared data and the person's earlier applications for
/// the fields a form may fill, asked over the kiosk's mutual-TLS channel. A citizen waits for
/// it, so it is bounded: no answer within `limit` (offline, a partition) and the form simply
/// asks more.
public struct PlatformPrefill: PrefillSourceLookup {
    let relay: SyncRelay
    let limit: Duration

    public init(relay: SyncRelay, limit: Duration = .seconds(3)) {
        self.relay = relay
        self.limit = limit
    }

    public func values(forIDNumber idNumber: String, fields: Set<FieldKey>) async -> [FieldKey: SessionFieldValue] {
        await relay.prefill(idNumber: idNumber, fields: fields, limit: limit)
    }
}

extension SyncRelay {
    /// Asks the platform; `[:]` on any failure (logged without the person's number).
    func prefill(idNumber: String, fields: Set<FieldKey>, limit: Duration) async -> [FieldKey: SessionFieldValue] {
        guard !fields.isEmpty else { return [:] }
        var bounded = settings
        bounded.requestTimeout = limit
        let client: Client
        var http: HTTPClient?
        if let identity = settings.identity {
            guard let made = try? identityClient(identity, requestTimeout: limit) else { return [:] }
            (client, http) = made
        } else {
            let plain = Self.plainHTTP()
            (client, http) = (Self.client(bounded, http: plain), plain)
        }
        var values: [FieldKey: SessionFieldValue] = [:]
        do {
            let output = try await client.lookupPrefill(body: .json(.init(idNumber: idNumber, fields: fields.sorted())))
            if case let .ok(ok) = output, case let .json(answer) = ok.body {
                for value in answer.values where fields.contains(value.field) {
                    values[value.field] = SessionFieldValue(
                        value: value.value, source: value.source == .sharedData ? .sharedData : .earlierApplication)
                }
            } else {
                logger.warning("Prefill lookup refused; the form asks instead", metadata: ["status": "\(output.statusAndProblem.code)"])
            }
        } catch {
            logger.info("Prefill lookup unanswered; the form asks instead", metadata: ["error": "\(type(of: error))"])
        }
        // Awaited: nothing of the lookup outlives it.
        try? await http?.shutdown()
        return values
    }
}
