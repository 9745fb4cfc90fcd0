import AsyncHTTPClient
import Foundation
import KioskSession
import KioskStore
import KioskSyncAPI
import Logging
import OpenAPIRuntime

/// Result documents collected at the kiosk (统一出件), downloaded from the platform over the
/// kiosk's mutual-TLS channel. A citizen waits at the screen, so the whole exchange is bounded
/// by `limit`; the document stays in memory and is checked against what the platform announced.
public struct PlatformResults: ResultDocumentSource {
    let relay: SyncRelay
    let limit: Duration

    public init(relay: SyncRelay, limit: Duration = .seconds(10)) {
        self.relay = relay
        self.limit = limit
    }

    public func document(caseID: String, item: String, sha256: String, length: Int64) async throws(ResultDocumentError) -> Data {
        let outcome = await relay.result(caseID: caseID, item: item, limit: limit)
        let bytes = try outcome.get()
        guard Int64(bytes.count) == length, ContentHash.sha256Hex(bytes) == sha256 else {
            throw ResultDocumentError(.mismatch, "the result of \(caseID)/\(item) is not the document announced (\(bytes.count) bytes)")
        }
        return bytes
    }
}

extension SyncRelay {
    /// Downloads a result over a client made for this call (bounded by `limit`, answer body
    /// included); the client is shut down before it returns.
    func result(caseID: String, item: String, limit: Duration) async -> Result<Data, ResultDocumentError> {
        var bounded = settings
        bounded.requestTimeout = limit
        let client: Client
        let http: HTTPClient
        if let identity = settings.identity {
            do {
                (client, http) = try identityClient(identity, requestTimeout: limit)
            } catch {
                return .failure(ResultDocumentError(.unreachable, error.message))
            }
        } else {
            http = Self.plainHTTP()
            client = Self.client(bounded, http: http)
        }
        let outcome: Result<Data, ResultDocumentError>
        do {
            switch try await client.downloadResult(path: .init(caseID: caseID, item: item)) {
            case let .ok(ok):
                // ExchangeTimeLimit read the body whole within the limit; this only gathers it.
                outcome = .success(Data(try await ArraySlice<UInt8>(collecting: try ok.body.pdf, upTo: 32 << 20)))
            case let .notFound(answer):
                outcome = .failure(ResultDocumentError(.refused, "404: \((try? answer.body.json.error.message) ?? "no such result")"))
            case .unauthorized:
                outcome = .failure(ResultDocumentError(.refused, "401: the platform did not accept this kiosk"))
            case .serviceUnavailable:
                outcome = .failure(ResultDocumentError(.unreachable, "503: the platform is busy"))
            case let .undocumented(status, _):
                outcome = .failure(ResultDocumentError(.refused, "HTTP \(status)"))
            }
        } catch {
            outcome = .failure(ResultDocumentError(.unreachable, "\(type(of: error)): \(error)"))
        }
        // Awaited: nothing of the exchange outlives it.
        try? await http.shutdown()
        if case let .failure(failure) = outcome {
            logger.warning("Result document not downloaded", metadata: ["case": "\(caseID)", "item": "\(item)", "error": "\(failure)"])
        }
        return outcome
    }
}
