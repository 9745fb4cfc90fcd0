import AsyncHTTPClient
import Foundation
import HTTPTypes
import KioskAudit
import KioskStore
import KioskSyncAPI
import KioskTrust
import Logging
import NIOCore
import NIOSSL
import OpenAPIAsyncHTTPClient
import OpenAPIRuntime
import ServiceLifecycle

/// The kiosk's relay to the platform (the reference's nine guarantees, as they apply here):
///
/// - Cases go in batches, exactly as the outbox committed them; only the contract's explicit
///   `stored` counts, and it is stored in one transaction with marking the rows sent. Nothing
///   local is deleted.
/// - Attachments follow from the store piece by piece, resumed at the platform's offset.
/// - Changes come back after the stored cursor and are applied with it in one transaction.
/// - Failures back off (full jitter, `Retry-After` as a floor); a restart tries at once.
public actor SyncRelay: Service {
    let settings: SyncSettings
    let store: CaseStore
    let logger: Logger
    let timeZone: TimeZone
    let facts: @Sendable () async -> HeartbeatFacts
    let now: @Sendable () -> Date
    /// Told when a verified catalogue or calendar is installed (its folder and version).
    let onBundle: @Sendable (BundleContent.Kind, URL, Int) async -> Void
    /// Told when a page of the platform's changes is applied (stages, results), so what a
    /// citizen is looking at follows without waiting for their next tap.
    let onChanges: @Sendable () async -> Void
    /// The client of the pass under way: over the shared HTTP client with a bearer credential,
    /// or over one made for the pass with the kiosk's certificate (read afresh, so a renewal
    /// takes effect at the next pass).
    var client: Client
    private var passHTTP: HTTPClient?
    private let nudges: AsyncStream<Void>
    private let nudger: AsyncStream<Void>.Continuation
    private var backoff: Backoff
    private var running: Task<SyncReport, Never>?
    /// The last pass's report, for the status API.
    public private(set) var lastReport: SyncReport?

    public init(
        settings: SyncSettings, store: CaseStore, timeZone: TimeZone, logger: Logger,
        facts: @escaping @Sendable () async -> HeartbeatFacts, now: @escaping @Sendable () -> Date = { Date() },
        onBundle: @escaping @Sendable (BundleContent.Kind, URL, Int) async -> Void = { _, _, _ in },
        onChanges: @escaping @Sendable () async -> Void = {}
    ) throws {
        self.onBundle = onBundle
        self.onChanges = onChanges
        self.settings = settings
        self.store = store
        self.timeZone = timeZone
        self.logger = logger
        self.facts = facts
        self.now = now
        // The shared client (its event loops live as long as the process). The transport's time
        // limit ends at the answer's head; `ExchangeTimeLimit` bounds the whole exchange. A redirect answer (a captive portal's) ends on a page that
        // is not the contract's, and is refused as such.
        client = Self.client(settings, http: Self.sharedPlainHTTP)
        (nudges, nudger) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
        backoff = Backoff(base: settings.backoffBase, cap: settings.backoffCap)
    }

    static func client(_ settings: SyncSettings, http: HTTPClient) -> Client {
        var middlewares: [any ClientMiddleware] = [ExchangeTimeLimit(limit: settings.requestTimeout, maxAnswerBytes: 32 << 20)]
        if settings.identity == nil { middlewares.append(KioskCredential(credential: settings.credential)) }
        return Client(
            serverURL: settings.platform.appendingPathComponent("sync/v1"), configuration: .sync,
            transport: AsyncHTTPClientTransport(
                configuration: .init(client: http, timeout: .seconds(settings.requestTimeout.components.seconds))),
            middlewares: middlewares)
    }

    /// An HTTP client without the kiosk's certificate (`--plain-http` on loopback: tests and
    /// benchmarks); shut it down after use. Like the identity client, a refused connection ends
    /// the exchange at once, not when its time limit runs out.
    static func plainHTTP() -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// The relay's own plain client: it lives as long as the process, so it is never shut down.
    static let sharedPlainHTTP = plainHTTP()

    /// A client over mutual TLS with the kiosk's certificate (shut its HTTP client down after use).
    func identityClient(_ identity: IdentityFolder, requestTimeout: Duration? = nil) throws(SyncFailure) -> (Client, HTTPClient) {
        var settings = self.settings
        if let requestTimeout { settings.requestTimeout = requestTimeout }
        let tls: TLSConfiguration
        do { tls = try identity.clientTLS() } catch { throw SyncFailure(.unauthenticated, error.message) }
        if let enrolled = try? identity.enrolled(), enrolled.notAfter < now() {
            throw SyncFailure(
                .unauthenticated,
                "this kiosk's certificate expired at \(enrolled.notAfter) while it could not renew; enrol it again with its key: 'kiosk-platform token create --site SITE --kiosk \(enrolled.answer.kioskName)' on the platform, then 'kioskctl enroll --platform \(enrolled.platform.absoluteString) --token TOKEN' here"
            )
        }
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls, redirectConfiguration: .disallow)
        configuration.timeout = .init(connect: .seconds(min(10, settings.requestTimeout.components.seconds)))
        // A refused connection or handshake ends the pass at once: the relay's own backoff
        // retries, and the technician reads the real cause rather than a timeout.
        configuration.connectionPool.retryConnectionEstablishment = false
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        return (Self.client(settings, http: http), http)
    }

    /// Renews the certificate from half its lifetime on; a failure is retried next pass.
    private func renewIfDue(_ identity: IdentityFolder) async {
        guard let enrolled = try? identity.enrolled(), now() >= enrolled.renewalDue, enrolled.notAfter > now() else { return }
        do {
            let renewed = try await EnrolmentClient(identity: identity, now: now).renew()
            logger.info("Certificate renewed", metadata: ["not_after": "\(renewed.notAfter)"])
            audit(.renewal, "certificate renewed, valid until \(renewed.notAfter)")
        } catch {
            logger.warning("Certificate renewal failed; retrying next pass", metadata: ["error": "\(error.message)"])
        }
    }

    /// A new case is in the outbox: send it now unless the relay is backing off.
    public nonisolated func nudge() { nudger.yield() }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.relayLoop() }
                group.addTask { await self.heartbeatLoop() }
                await group.waitForAll()
            }
        }
    }

    private func relayLoop() async {
        var random = SystemRandomNumberGenerator()
        // At start the outbox goes at once: a restart never waits out an old backoff.
        while !Task.isCancelled {
            let report = await syncPass()
            let wait: Duration
            if let error = report.error {
                wait = backoff.next(retryAfter: retryAfter, using: &random)
                logger.warning("Sync failed; retrying", metadata: ["error": "\(error)", "retry_in": "\(wait)"])
            } else {
                backoff.reset()
                wait = settings.interval
            }
            await pause(wait, wakeOnNudge: report.error == nil)
        }
    }

    private var retryAfter: Duration?

    /// Waits `duration`, or until a nudge when `wakeOnNudge`.
    private func pause(_ duration: Duration, wakeOnNudge: Bool) async {
        let nudges = self.nudges
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await Task.sleep(for: duration) }
            if wakeOnNudge {
                group.addTask {
                    var iterator = nudges.makeAsyncIterator()
                    _ = await iterator.next()
                }
            }
            _ = await group.next()
            group.cancelAll()
        }
    }

    /// One pass: cases, attachments, ratings, changes. Passes never overlap: a caller while one
    /// runs gets that pass's report.
    public func syncPass() async -> SyncReport {
        if let running { return await running.value }
        let task = Task { await self.pass() }
        running = task
        let report = await task.value
        running = nil
        lastReport = report
        return report
    }

    private func pass() async -> SyncReport {
        var report = SyncReport()
        retryAfter = nil
        do {
            if let identity = settings.identity {
                await renewIfDue(identity)
                (client, passHTTP) = try identityClient(identity)
            }
            var serverTime = try await sendCases(&report)
            try await sendAttachments(&report)
            try await sendRatings(&report)
            try await sendDeliveries(&report)
            try await sendAudit()
            serverTime = try await pullChanges(&report) ?? serverTime
            try await installBundles()
            try? await store.recordSyncSuccess(at: now(), serverTime: serverTime)
        } catch {
            report.error = error.message
            retryAfter = error.retryAfter
            try? await store.recordSyncFailure(at: now(), error: error.message)
        }
        // Retention runs on the acknowledgements already stored, with or without a link.
        let now = now()
        do {
            report.purged = try await store.purgeSealed(acknowledgedBefore: now.addingTimeInterval(-settings.retention), at: now)
            if report.purged > 0 {
                logger.notice("Sealed data purged", metadata: ["cases": "\(report.purged)"])
                audit(
                    .purge,
                    "sealed data of \(report.purged) case(s) erased, \(Int(settings.retention / 3600)) h after the platform acknowledged them"
                )
            }
        } catch {
            logger.error("Sealed data not purged", metadata: ["error": "\(error.message)"])
        }
        // The pass's own client goes with the pass (awaited: nothing of it outlives the pass).
        if let http = passHTTP {
            passHTTP = nil
            try? await http.shutdown()
        }
        return report
    }

    // MARK: Cases

    private func sendCases(_ report: inout SyncReport) async throws(SyncFailure) -> Date? {
        var serverTime: Date?
        var batchSize = settings.batchSize
        while true {
            let pending = try await storeCall { [batchSize] in try await self.store.pendingCases(limit: batchSize) }
            guard !pending.isEmpty else { return serverTime }
            var uploads: [Components.Schemas.CaseUpload] = []
            for entry in pending {
                do {
                    uploads.append(try CaseMessageFormat.decode(entry.payload))
                } catch {
                    // Never sent as is, never deleted: a technician sees it.
                    try await storeCall {
                        try await self.store.recordRefusal(seq: entry.seq, reason: "the outbox row cannot be read: \(error)")
                    }
                    report.casesRefused += 1
                }
            }
            guard !uploads.isEmpty else { continue }
            let output: Operations.SubmitCases.Output
            do {
                output = try await client.submitCases(body: .json(.init(cases: uploads)))
            } catch {
                throw classify(error)
            }
            switch output {
            case let .ok(ok):
                guard case let .json(answer) = ok.body else {
                    throw SyncFailure(.notThePlatform, "the platform answered in another format")
                }
                serverTime = answer.serverTime
                var acknowledgements: [CaseAcknowledgement] = []
                for outcome in answer.outcomes {
                    guard let entry = pending.first(where: { $0.caseID == outcome.caseID }) else { continue }
                    switch outcome.status {
                    case .stored:
                        acknowledgements.append(
                            CaseAcknowledgement(
                                caseID: outcome.caseID, platformReceipt: outcome.platformReceipt,
                                missingAttachments: outcome.missingAttachments ?? []))
                    case .conflict, .rejected:
                        let reason =
                            "the platform \(outcome.status.rawValue) case \(outcome.caseID): \(outcome.message ?? "no reason given")"
                        logger.error(
                            "Case refused by the platform", metadata: ["case": "\(outcome.caseID)", "status": "\(outcome.status.rawValue)"])
                        try await storeCall { try await self.store.recordRefusal(seq: entry.seq, reason: reason) }
                        report.casesRefused += 1
                    }
                }
                // The acknowledgement and marking the rows sent: one transaction.
                try await storeCall { [acknowledgements, now] in try await self.store.acknowledge(acknowledgements, at: now()) }
                report.casesStored += acknowledgements.count
                let answered = Set(answer.outcomes.map(\.caseID))
                let unanswered = pending.filter { !answered.contains($0.caseID) }.map(\.seq)
                if !unanswered.isEmpty {
                    try await storeCall {
                        try await self.store.recordAttempt(seqs: unanswered, error: "the platform's answer left this case out")
                    }
                    throw SyncFailure(.notThePlatform, "the platform's answer left \(unanswered.count) case(s) out")
                }
            case .contentTooLarge, .badRequest:
                // Too much in one request, or one case the platform cannot read: halve the
                // batch until the case at fault stands alone, then keep it back with the reason.
                if batchSize > 1 {
                    batchSize = max(1, batchSize / 2)
                    continue
                }
                let problem = output.problemMessage ?? "no reason given"
                try await storeCall {
                    try await self.store.recordRefusal(seq: pending[0].seq, reason: "the platform refused the case: \(problem)")
                }
                report.casesRefused += 1
            default:
                throw failure(output.statusAndProblem, retryAfter: output.retryAfter)
            }
        }
    }

    // MARK: Attachments

    private func sendAttachments(_ report: inout SyncReport) async throws(SyncFailure) {
        var skipped: Set<PendingAttachment> = []
        while true {
            let pending = try await storeCall { try await self.store.pendingAttachments(limit: 50) }.filter { !skipped.contains($0) }
            guard !pending.isEmpty else { return }
            // A few uploads at once: while one waits on the platform's write, the next is on
            // the wire. Memory stays bounded at one chunk per upload.
            let outcomes: [(PendingAttachment, Bool)]
            do {
                outcomes = try await withThrowingTaskGroup(of: (PendingAttachment, Bool).self) { group in
                    var queue = pending.makeIterator()
                    var outcomes: [(PendingAttachment, Bool)] = []
                    for _ in 0..<max(1, settings.parallelUploads) {
                        guard let next = queue.next() else { break }
                        group.addTask { (next, try await self.upload(next)) }
                    }
                    while let outcome = try await group.next() {
                        outcomes.append(outcome)
                        if let next = queue.next() { group.addTask { (next, try await self.upload(next)) } }
                    }
                    return outcomes
                }
            } catch let failure as SyncFailure {
                throw failure
            } catch {
                throw classify(error)
            }
            for (attachment, verified) in outcomes {
                if verified { report.attachmentsVerified += 1 } else { skipped.insert(attachment) }
            }
        }
    }

    /// Attachments this process has begun: they resume from the platform's offset. A fresh one
    /// begins with its first chunk at 0, without the round trip of a create.
    private var begun: Set<PendingAttachment> = []

    /// Uploads one attachment from the platform's offset; true once the platform verified it.
    private func upload(_ attachment: PendingAttachment) async throws(SyncFailure) -> Bool {
        let (caseID, id) = (attachment.caseID, attachment.attachmentID)
        var offset: Int64?
        if begun.insert(attachment).inserted, attachment.length > 0 {
            offset = 0
        } else {
            offset = try await create(attachment)
            if offset == nil { return try await markVerified(attachment) }
        }
        var retries = 0
        while var position = offset, position < attachment.length {
            let bytes = try await storeCall { [chunk = settings.chunkBytes, position] in
                try await self.store.attachmentBytes(caseID: caseID, attachmentID: id, from: position, maxBytes: chunk)
            }
            guard !bytes.isEmpty else { return false }
            let output: Operations.AppendAttachment.Output
            do {
                output = try await client.appendAttachment(
                    path: .init(caseID: caseID, attachmentID: id),
                    headers: .init(uploadOffset: position, uploadChecksum: "sha256 " + ContentHash.sha256Base64(bytes)),
                    body: .applicationOffsetOctetStream(HTTPBody(bytes)))
            } catch {
                throw classify(error)
            }
            switch output {
            case let .ok(ok):
                guard case let .json(state) = ok.body else { throw SyncFailure(.notThePlatform, "the platform answered in another format") }
                if state.verified { return try await markVerified(attachment) }
                position = state.offset
                offset = position
                continue
            case .conflict, .unprocessableContent, .gone, .notFound:
                // Lost track (an answer lost on the way, or begun before a restart), a damaged
                // chunk, an expired upload, or one a platform wants created first: ask the
                // platform where it stands and go on from there, a few times at most.
                retries += 1
                guard retries <= 5 else {
                    logger.warning(
                        "Attachment keeps failing; trying again next pass", metadata: ["case": "\(caseID)", "attachment": "\(id)"])
                    return false
                }
                offset = try await create(attachment)
                if offset == nil { return try await markVerified(attachment) }
            default:
                throw failure(output.statusAndProblem, retryAfter: output.retryAfter)
            }
        }
        return false
    }

    /// Creates (or finds) the upload; the offset to continue from, or nil when already verified.
    private func create(_ attachment: PendingAttachment) async throws(SyncFailure) -> Int64? {
        let output: Operations.CreateAttachment.Output
        do {
            output = try await client.createAttachment(
                body: .json(
                    .init(
                        caseID: attachment.caseID, attachmentID: attachment.attachmentID, length: attachment.length,
                        sha256: attachment.sha256)))
        } catch {
            throw classify(error)
        }
        switch output {
        case let .created(created):
            guard case let .json(state) = created.body else {
                throw SyncFailure(.notThePlatform, "the platform answered in another format")
            }
            return state.verified ? nil : state.offset
        default:
            throw failure(output.statusAndProblem, retryAfter: output.retryAfter)
        }
    }

    private func markVerified(_ attachment: PendingAttachment) async throws(SyncFailure) -> Bool {
        try await storeCall { [now] in
            try await self.store.markAttachmentVerified(caseID: attachment.caseID, attachmentID: attachment.attachmentID, at: now())
        }
        return true
    }

    // MARK: Ratings

    private func sendRatings(_ report: inout SyncReport) async throws(SyncFailure) {
        let pending = try await storeCall { try await self.store.pendingRatings(limit: 100) }
        for rating in pending {
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            guard let message = try? decoder.decode(RatingMessage.self, from: rating.payload) else { continue }
            let output: Operations.SubmitRating.Output
            do {
                output = try await client.submitRating(
                    body: .json(.init(ratingID: message.ratingID, caseID: message.caseID, level: message.level, givenAt: message.givenAt)))
            } catch {
                throw classify(error)
            }
            switch output {
            case .ok:
                try await storeCall { [now] in try await self.store.acknowledgeRating(seq: rating.seq, at: now()) }
                report.ratingsStored += 1
            case .conflict, .badRequest, .notFound:
                try await storeCall { try await self.store.recordRefusal(seq: rating.seq, reason: output.problemMessage ?? "refused") }
            default:
                throw failure(output.statusAndProblem, retryAfter: output.retryAfter)
            }
        }
    }

    // MARK: Audit

    /// The audit entries the platform does not hold yet, in batches, oldest first. A platform
    /// that finds the chain broken refuses (409): said loudly in the log, never retried as is,
    /// and cases go on.
    private func sendAudit() async throws(SyncFailure) {
        guard let trail = settings.audit else { return }
        var held = try await storeCall { try await self.store.auditHeld() }
        while true {
            let entries: [AuditEntry]
            do { entries = try trail.entries(after: held, limit: 200) } catch {
                logger.error("Audit trail not readable; not sent", metadata: ["error": "\(error.message)"])
                return
            }
            guard !entries.isEmpty else { return }
            let output: Operations.SubmitAudit.Output
            do {
                output = try await client.submitAudit(
                    body: .json(
                        .init(
                            entries: entries.map {
                                .init(
                                    seq: $0.seq, at: $0.at, kind: $0.kind, actor: $0.actor, detail: $0.detail, prev: $0.prev, hash: $0.hash)
                            })))
            } catch {
                throw classify(error)
            }
            switch output {
            case let .ok(answer):
                guard case let .json(body) = answer.body, body.held > held else { return }
                held = body.held
                try await storeCall { [held] in try await self.store.recordAuditHeld(held) }
            case .conflict, .badRequest:
                logger.error(
                    "The platform refuses this kiosk's audit trail: it was altered, cut or reordered here (kioskctl audit verify)",
                    metadata: ["problem": "\(output.problemMessage ?? "-")"])
                return
            default:
                throw failure(output.statusAndProblem, retryAfter: output.retryAfter)
            }
        }
    }

    // MARK: Changes

    private func pullChanges(_ report: inout SyncReport) async throws(SyncFailure) -> Date? {
        while true {
            let cursor = try await storeCall { try await self.store.syncCursor() }
            let output: Operations.ListChanges.Output
            do {
                output = try await client.listChanges(query: .init(after: cursor == 0 ? nil : cursor, limit: 200))
            } catch {
                throw classify(error)
            }
            guard case let .ok(ok) = output, case let .json(page) = ok.body else {
                throw failure(output.statusAndProblem, retryAfter: output.retryAfter)
            }
            let changes = page.changes.compactMap { change -> PlatformChange? in
                guard let kind = PlatformChange.Kind(rawValue: change.kind.rawValue) else { return nil }
                return PlatformChange(
                    cursor: change.cursor, kind: kind, at: change.at, caseID: change.caseID, item: change.item,
                    stage: change.stage?.rawValue,
                    reason: change.reason, promisedBy: change.promisedBy, resultSHA256: change.resultSHA256,
                    resultLength: change.resultLength,
                    version: change.version)
            }
            let zone = timeZone
            let applied = try await storeCall { try await self.store.apply(changes, after: cursor, timeZone: zone) }
            if applied && !changes.isEmpty {
                report.changesApplied += changes.count
                await onChanges()
            }
            if !page.more { return nil }
        }
    }

    // MARK: Heartbeats

    private func heartbeatLoop() async {
        while !Task.isCancelled {
            await sendHeartbeat()
            try? await Task.sleep(for: settings.heartbeatInterval)
        }
    }

    /// Sends the kiosk's health now (also on a device fault).
    public func sendHeartbeat() async {
        let facts = await facts()
        // The signed bundles in use, and any refused with the kiosk's reason (TUF: tell the platform).
        let shelf = settings.identity.map { BundleShelf(stateDirectory: $0.stateDirectory).state() }
        let refused: [Components.Schemas.Heartbeat.VersionsPayload.RefusedPayloadPayload] = (shelf?.refused ?? [:]).sorted {
            $0.key < $1.key
        }
        .map {
            .init(
                kind: String($0.key.prefix(16)), version: $0.value.version, code: String($0.value.code.prefix(32)),
                reason: String($0.value.reason.prefix(300)))
        }
        let figures = try? await store.syncFigures()
        let sentAt = now()
        let heartbeat = Components.Schemas.Heartbeat(
            sentAt: sentAt, uptimeSeconds: facts.uptimeSeconds,
            devices: facts.devices.prefix(32).map {
                .init(
                    id: String($0.id.prefix(64)), kind: String($0.kind.prefix(32)), state: String($0.state.prefix(32)),
                    fault: $0.fault.map { String($0.prefix(200)) }, action: $0.action.map { String($0.prefix(32)) },
                    counters: .init(additionalProperties: $0.counters.filter { $0.value >= 0 }))
            },
            queueDepth: figures?.queueDepth ?? 0, oldestUnsentAt: figures?.oldestUnsentAt,
            versions: .init(
                software: String(facts.software.prefix(32)), catalog: shelf?.versions["catalog"].map(String.init) ?? facts.catalog,
                calendar: shelf?.versions["calendar"].map(String.init) ?? facts.calendar,
                sealingKey: facts.sealingKey.map { String($0.prefix(32)) },
                refused: refused.isEmpty ? nil : Array(refused.prefix(4))))
        var client = self.client
        var http: HTTPClient?
        if let identity = settings.identity {
            do { (client, http) = try identityClient(identity) } catch {
                logger.debug("Heartbeat not sent", metadata: ["error": "\(error.message)"])
                return
            }
        }
        do {
            let output = try await client.sendHeartbeat(body: .json(heartbeat))
            if case let .ok(ok) = output, case let .json(answer) = ok.body {
                try? await store.recordSyncSuccess(at: sentAt, serverTime: answer.serverTime)
            }
        } catch {
            logger.debug("Heartbeat not delivered", metadata: ["error": "\(classify(error).message)"])
        }
        try? await http?.shutdown()
    }

    // MARK: Signed bundles

    /// Fetches every catalogue, calendar, sealing-key, site-profile, maintenance-tickets and
    /// query-services version announced after the last one trusted, in order (a key rotation in between is followed), and installs each that verifies. A
    /// refused one changes nothing but its noted reason; the kiosk keeps serving what it has.
    private func installBundles() async throws(SyncFailure) {
        guard let identity = settings.identity else { return }
        let shelf = BundleShelf(stateDirectory: identity.stateDirectory)
        let figures = try await storeCall { try await self.store.syncFigures() }
        for kind in [BundleContent.Kind.catalog, .calendar, .sealing, .configuration, .maintenance, .services] {
            let change = "\(kind.rawValue)-version"
            guard let staged = figures.staged[change].flatMap({ Int($0) }), let wireKind = Self.wireKind(kind) else { continue }
            let state = shelf.state()
            // Each announced version is examined once, in order: a refused one is not fetched
            // again, and a later one is still tried.
            let examined = max(state.versions[kind.rawValue] ?? 0, state.checked[kind.rawValue] ?? 0)
            if staged > examined {
                for version in (examined + 1)...staged {
                    let output: Operations.GetBundle.Output
                    do {
                        output = try await client.getBundle(path: .init(kind: wireKind, version: version))
                    } catch {
                        throw classify(error)
                    }
                    guard case let .ok(ok) = output, case let .json(wire) = ok.body else { continue }
                    let bundle = SignedBundle(
                        payload: Data(wire.payload.data).base64EncodedString(),
                        signatures: wire.signatures.map { .init(keyID: $0.keyID, signature: $0.signature) })
                    do {
                        let (content, folder) = try shelf.accept(bundle, kind: kind, announced: version, now: now())
                        logger.notice("Signed bundle installed", metadata: ["kind": "\(kind.rawValue)", "version": "\(content.version)"])
                        audit(.bundleInstalled, "\(kind.rawValue) version \(content.version), expires \(content.expires)")
                        await onBundle(kind, folder, content.version)
                    } catch {
                        logger.error(
                            "Signed bundle refused; the current one stays",
                            metadata: ["kind": "\(kind.rawValue)", "reason": "\(error.message)"])
                        audit(.bundleRefused, "\(kind.rawValue) version \(version) (\(error.code)): \(error.message)")
                    }
                }
            }
            let now = shelf.state()
            if let version = now.versions[kind.rawValue], let expires = now.expires[kind.rawValue] {
                try await storeCall { try await self.store.recordInstalled(kind: change, version: version, expires: expires) }
            }
        }
    }

    /// The contract's name of a bundle kind.
    private static func wireKind(_ kind: BundleContent.Kind) -> Operations.GetBundle.Input.Path.KindPayload? {
        switch kind {
        case .catalog: .catalog
        case .calendar: .calendar
        case .sealing: .sealing
        case .configuration: .configuration
        case .maintenance: .maintenance
        case .services: .services
        }
    }

    /// Records a security event; a trail that cannot be written is logged, never fatal to sync.
    private func audit(_ kind: AuditEntry.Kind, _ detail: String) {
        guard let trail = settings.audit else { return }
        do { try trail.record(kind, actor: "kioskd", detail: detail) } catch {
            logger.error("Audit trail not written", metadata: ["kind": "\(kind.rawValue)", "error": "\(error.message)"])
        }
    }

    // MARK: Failures

    func storeCall<T: Sendable>(_ body: @Sendable () async throws -> T) async throws(SyncFailure) -> T {
        do {
            return try await body()
        } catch {
            throw SyncFailure(.store, "the kiosk's store failed: \(error)")
        }
    }

    /// A transport or decoding error in words: no answer at all, or an answer that is not the platform's.
    func classify(_ error: any Error) -> SyncFailure {
        let client = error as? ClientError
        let cause = client?.underlyingError ?? error
        if let response = client?.response, response.status.code >= 400 {
            // An answer whose body is not the contract's (a proxy's page): its status still says something.
            return failure(
                (Int(response.status.code), "an answer that is not the platform's"),
                retryAfter: response.headerFields[.retryAfter].flatMap { Int($0) })
        }
        // TLS, not the link: the wrong platform, or a platform that refuses this kiosk's certificate.
        let tlsRefusal = ["certificate", "unknown_ca", "unknown ca", "bad_certificate", "tlsv1_alert", "wrong_version"]
        if cause is NIOSSLError || cause is BoringSSLError, tlsRefusal.contains(where: String(describing: cause).lowercased().contains) {
            return SyncFailure(
                .untrusted,
                "the TLS handshake with the platform at \(settings.platform.absoluteString) failed (\(cause)): it is not the platform this kiosk enrolled with, or it refuses this kiosk's certificate (expired or from another platform); check the address, or enrol again"
            )
        }
        // The link, not the answer: a refused, reset or broken connection (NIO's IOError and
        // ChannelError, e.g. "Connection reset by peer") is a platform out of reach.
        let described = String(describing: cause).lowercased()
        if cause is HTTPClientError || cause is CancellationError || cause is IOError || cause is ChannelError
            || cause is ExchangeTimeLimit.Expired
            || ["connect", "reset", "broken pipe", "unreachable"].contains(where: described.contains)
        {
            return SyncFailure(.unreachable, "the platform at \(settings.platform.absoluteString) cannot be reached (\(cause))")
        }
        return SyncFailure(
            .notThePlatform,
            "an answer that is not the platform's (a captive portal or a proxy's page?): \(client?.causeDescription ?? String(describing: error))"
        )
    }

    func failure(_ status: (code: Int, problem: String?), retryAfter seconds: Int?) -> SyncFailure {
        switch status.code {
        case 401:
            return SyncFailure(
                .unauthenticated,
                "the platform refuses this kiosk (revoked, enrolled again with another key, or an unknown credential): enrol it again with a new token ('kioskctl enroll')"
            )
        case 503:
            let wait = seconds.map { Duration.seconds($0) }
            return SyncFailure(
                .overloaded, "the platform is busy\(seconds.map { "; it asked to wait \($0) s" } ?? "")", retryAfter: wait)
        case 500...599:
            return SyncFailure(.refused, "the platform failed (HTTP \(status.code)): \(status.problem ?? "no reason given")")
        default:
            return SyncFailure(.refused, "the platform refused the request (HTTP \(status.code)): \(status.problem ?? "no reason given")")
        }
    }
}

/// Sends the kiosk's credential on every request.
struct KioskCredential: ClientMiddleware {
    let credential: String

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String,
        next: (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        var request = request
        request.headerFields[.authorization] = "Bearer \(credential)"
        return try await next(request, body, baseURL)
    }
}
