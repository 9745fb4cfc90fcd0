import Foundation
import KioskCore
import KioskDevices
import KioskDocuments
import KioskPrinting
import KioskStore
import Logging

/// The session told the screen something changed: the page fetches the session again with
/// its token. No personal data travels on the event stream.
public struct SessionChanged: BusEvent, Hashable {
    public static let topic = "session.changed"
    public var step: SessionStep
    /// Why (`card-read`, `timeout`, `printed`, ...), for the page and the logs.
    public var reason: String
    /// Grows with every change, so the page can drop stale answers.
    public var sequence: Int
    /// When the daemon published it, in Unix milliseconds (ISO 8601 dates on the stream carry
    /// whole seconds only; the event-to-screen latency figure needs milliseconds).
    public var atMilliseconds: Int64
}

/// How the session is set up on this site.
public struct SessionSettings: Sendable, Equatable {
    /// Without a touch or an action for this long, the session is wiped.
    public var idleTimeout: Duration = .seconds(120)
    /// The countdown shown before the wipe.
    public var countdown: Duration = .seconds(30)
    /// How long the citizen waits for the receipt before it is shown on screen instead.
    public var printWait: Duration = .seconds(8)
    /// The printer receipts go to, and its paper.
    public var receiptPrinter: DeviceID?
    public var receiptPaper: PaperSize = .receipt80
    /// 6-digit administrative division code and this kiosk's number in it (receipt numbers).
    public var divisionCode: Int = 410_721
    public var kioskNumber: Int = 1
    /// The status address in the receipt's QR code; `{number}` is replaced by the receipt number.
    public var statusURL = "https://zwfw.example.gov.cn/case/{number}"
    /// Shared data and earlier applications reachable right now (offline: none).
    public var platformOnline = false
    /// "Query and print" services (社保参保证明...): answered by the platform, so usable only online.
    public var queryServices: [QueryService] = QueryService.defaults

    public init() {}
}

/// A "query and print" service of the attract screen: the answer comes from the platform.
public struct QueryService: Sendable, Equatable, Encodable {
    public var id: String
    public var name: String

    public init(id: String, name: String) {
        self.id = id
        self.name = name
    }

    public static let defaults = [
        QueryService(id: "social-insurance-record", name: "社保参保缴费证明"),
        QueryService(id: "housing-fund-record", name: "住房公积金缴存证明"),
        QueryService(id: "property-record", name: "不动产登记信息查询"),
    ]
}

/// Where prefill values come from besides the card: shared government data and what the
/// citizen gave in earlier applications. Looked up by ID number, only while a session runs.
public protocol PrefillSourceLookup: Sendable {
    func values(forIDNumber idNumber: String) async -> [FieldKey: SessionFieldValue]
}

/// What a sealed case holds: the personal part of the application.
struct SealedApplication: Codable {
    var values: [FieldKey: SessionFieldValue]
    var materials: [MaterialID: MaterialChoice]
    var signaturePNG: Data?
}

/// What the outbox sends to the platform for a new case: no personal data in the clear.
struct CaseMessage: Codable {
    var caseID: String
    var receiptNumber: String
    var bundle: BundleID
    var bundleVersion: String
    var kioskID: String
    var receivedAt: Date
    var materials: [MaterialID: MaterialChoice]
    /// The sealed application (base64 in JSON).
    var sealedApplication: Data
}

/// Runs the one citizen session of the kiosk: validates every action, keeps the idle timer,
/// follows the card reader, commits cases, prints receipts, and wipes everything at the end.
public actor SessionController {
    public struct Failure: Error, Sendable {
        public enum Kind: Sendable { case noSession, refused, unavailable }
        public var kind: Kind
        public var code: String
        public var message: String
        public var problems: [FieldValueProblem] = []
    }

    private let kioskID: String
    private let settings: SessionSettings
    private let catalog: Catalog?
    private let calendar: WorkingDayCalendar?
    private let store: CaseStore
    private let seal: CaseSeal
    private let printQueue: PrintQueue?
    private let bus: EventBus
    private let cardReader: IDCardReaderControls
    private let prefill: (any PrefillSourceLookup)?
    private let redactor: Redactor
    private let logger: Logger
    private let clock = ContinuousClock()

    private var session = CitizenSession()
    /// Wakes the idle watch when a session starts.
    private let (sessionStarts, sessionStarted) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
    private var token: String?
    private var lastActivity: ContinuousClock.Instant
    private var sequence = 0
    private var remembered: [String] = []
    private var submittedCase: SubmittedCase?
    private var progress: [ProgressCase] = []
    /// Waits for the receipt's print outcome to show it; the job itself belongs to the print
    /// queue, so cancelling this (the session ended) never stops the printing.
    private var printTask: Task<Void, Never>?
    /// Reads the citizen's cases for "check my progress"; cancelled with the session.
    private var progressTask: Task<Void, Never>?
    /// Grows each time a session ends: work that waited (a commit, a store lookup) checks it
    /// to know whether the session it served is still the one on screen.
    private var generation = 0
    /// A submission is being committed: a second tap on 提交 must not commit a second case.
    private var submitting = false

    struct SubmittedCase {
        var caseID: String
        var number: String
        var document: KioskDocument
        var items: [SessionView.ReceiptItem]
        var print: SessionView.PrintState
    }

    public init(
        kioskID: String, settings: SessionSettings, catalog: Catalog?, calendar: WorkingDayCalendar?, store: CaseStore,
        seal: CaseSeal, printQueue: PrintQueue?, bus: EventBus, cardReader: IDCardReaderControls,
        prefill: (any PrefillSourceLookup)?, redactor: Redactor, logger: Logger
    ) {
        self.kioskID = kioskID
        self.settings = settings
        self.catalog = catalog
        self.calendar = calendar
        self.store = store
        self.seal = seal
        self.printQueue = printQueue
        self.bus = bus
        self.cardReader = cardReader
        self.prefill = prefill
        self.redactor = redactor
        self.logger = logger
        self.lastActivity = clock.now
    }

    // MARK: Running

    /// Follows the card reader and the touch screen, and wipes idle sessions, until cancelled.
    public func run() async {
        let events = bus.subscribe()
        await withTaskGroup(of: Void.self) { group in
            group.addTask { [weak self] in
                for await event in events {
                    guard let self else { return }
                    await self.handle(event)
                }
            }
            group.addTask { [weak self] in await self?.watchIdleness() }
            // The event stream ends when the bus closes at shutdown; the idle loop only when
            // this task is cancelled, which is the service's turn to stop.
            await group.waitForAll()
        }
        cardReader.stopWantingCard()
    }

    private func handle(_ event: any BusEvent) async {
        switch event {
        case let read as IDCardRead:
            await cardRead(read.card)
        case is IDCardRemoved:
            if session.cardRemoved() {
                end(reason: "card-removed")
            } else if !session.isIdle {
                touch()
                changed("card-removed")
            }
        case is UserActivityEvent:
            if !session.isIdle { touch() }
        default:
            break
        }
    }

    private func cardRead(_ card: IDCardData) async {
        guard [.card, .form, .materials, .review, .progressCard].contains(session.step) else { return }
        remember(card.personalValues)
        touch()
        var known: [FieldKey: SessionFieldValue] = [:]
        if session.step != .progressCard {
            known = await prefillValues(idNumber: card.idNumber)
        }
        session.cardRead(card, prefill: known)
        if session.step == .progress { loadProgress(idNumber: card.idNumber) }
        updateCardDemand()
        changed("card-read")
    }

    /// Sleeps until the idle deadline of the session on screen, and not at all while nobody
    /// uses the kiosk: an idle kiosk must cost no CPU.
    private func watchIdleness() async {
        var starts = sessionStarts.makeAsyncIterator()
        while !Task.isCancelled {
            if session.isIdle {
                // Until a session starts (nil: the task was cancelled).
                guard await starts.next() != nil else { return }
                continue
            }
            try? await Task.sleep(until: lastActivity + settings.idleTimeout, clock: clock)
            expireIfIdle()
        }
    }

    private func expireIfIdle() {
        guard !session.isIdle, clock.now - lastActivity >= settings.idleTimeout else { return }
        end(reason: "timeout")
    }

    // MARK: Actions (the local API calls these)

    /// Whether no citizen is using the kiosk (the technician may take the screen).
    public var isIdle: Bool { session.isIdle }

    /// The bundles offered on the attract screen (nothing personal; no token needed).
    public func offer() -> OfferView {
        OfferView(
            kioskID: kioskID, online: settings.platformOnline,
            bundles: (catalog?.bundles ?? []).map {
                OfferView.Bundle(id: $0.id, name: $0.name, leadDepartment: $0.leadDepartment, items: $0.items.count)
            },
            idleTimeoutSeconds: Int(settings.idleTimeout.components.seconds), queryServices: settings.queryServices)
    }

    /// A "query and print" service was chosen. Its answer comes from the platform: offline,
    /// the citizen is told so plainly, with what the kiosk can still do.
    public func query(_ id: String) throws(Failure) -> OfferView {
        guard let service = settings.queryServices.first(where: { $0.id == id }) else {
            throw Failure(kind: .refused, code: "unknown-service", message: "没有该服务 (no such service)")
        }
        guard settings.platformOnline else {
            throw Failure(
                kind: .unavailable, code: "platform-offline",
                message: "“\(service.name)”需要连接政务服务平台查询，当前网络不可用。您可以先办理“一件事”（离线收件后联网上报），或查询本终端的办件进度、补打回执。")
        }
        throw Failure(
            kind: .unavailable, code: "not-connected",
            message: "“\(service.name)”尚未接入本终端，请到服务窗口办理。")
    }

    /// Starts a session for a bundle, or for "check my progress" (`bundle == nil`). Ends any
    /// session left behind first: the kiosk has one screen and one citizen.
    public func start(bundle: String?) throws(Failure) -> SessionView {
        var fresh = CitizenSession()
        do throws(SessionError) {
            if let bundle {
                guard let catalog else {
                    throw SessionError(.wrongStep, "事项目录暂不可用，请联系工作人员 (the service catalog is not available)")
                }
                guard let definition = catalog.bundle(bundle) else {
                    throw SessionError(.wrongStep, "没有该事项 (no such service: \(bundle))")
                }
                let blueprint: BundleBlueprint
                do {
                    blueprint = try BundleBlueprint(bundle: definition, catalog: catalog)
                } catch {
                    throw SessionError(.wrongStep, "该事项暂不能办理，请联系工作人员 (the service is misconfigured)")
                }
                try fresh.choose(blueprint)
            } else {
                try fresh.checkProgress()
            }
        } catch {
            throw Failure(kind: .refused, code: error.code.rawValue, message: error.message)
        }
        // A valid start replaces whatever session was left behind, wiping it first.
        if !session.isIdle { end(reason: "replaced") }
        session = fresh
        token = Self.newToken()
        touch()
        sessionStarted.yield()
        updateCardDemand()
        changed("started")
        var view = view()
        view.token = token
        return view
    }

    /// The session as the screen shows it.
    public func current(token: String?) throws(Failure) -> SessionView {
        try check(token)
        return view()
    }

    /// One action of the citizen.
    public func perform(_ action: SessionAction, token: String?) async throws(Failure) -> SessionView {
        try check(token)
        touch()
        do throws(SessionError) {
            switch action {
            case .acknowledgeNotice: try session.acknowledgeNotice()
            case let .fill(values): try session.fill(values)
            case .confirmForm: try session.confirmForm()
            case let .material(id, choice): try session.choose(choice, for: id)
            case let .sign(png):
                guard png.count <= 512 * 1024, png.starts(with: [0x89, 0x50, 0x4E, 0x47]) else {
                    throw SessionError(.signatureMissing, "签名图片无效，请重新签名 (the signature image is not valid)")
                }
                try session.sign(png)
            case .confirmMaterials: try session.confirmMaterials()
            case .back:
                try session.back()
                if session.isIdle {
                    end(reason: "back")
                    return view()
                }
            case .submit: try await submit()
            case .finishReceipt: try session.finishReceipt()
            case let .rate(level):
                try session.rate(level)
                let caseID = submittedCase?.caseID
                // Ended before the store is awaited: a second tap finds no session, not a second rating.
                end(reason: "rated")
                if let caseID {
                    do { try await store.recordRating(caseID: caseID, level: level) } catch {
                        logger.error("Rating not stored", metadata: ["error": "\(error.code)"])
                    }
                }
                return view()
            case let .reprint(number):
                try await reprint(number)
            case .startOver:
                end(reason: "start-over")
                return view()
            }
        } catch {
            changed("refused")
            throw Failure(kind: .refused, code: error.code.rawValue, message: error.message, problems: error.problems)
        }
        updateCardDemand()
        changed(action.name)
        return view()
    }

    /// The citizen touched the screen (or the page reported activity): the idle timer restarts.
    public func activity(token: String?) throws(Failure) -> SessionView {
        try check(token)
        touch()
        return view()
    }

    // MARK: Submitting and printing

    private func submit() async throws(SessionError) {
        guard !submitting else { throw SessionError(.wrongStep, "正在提交，请稍候 (already submitting)") }
        let submission = try session.submission()
        guard let blueprint = session.blueprint else { return }
        submitting = true
        defer { submitting = false }
        let servedGeneration = generation
        let now = Date()
        let today = Self.civilDay(now)
        let tag = Self.dayTag(today)
        let caseID = CaseID(at: now)
        let sealedApplication: Data
        do {
            sealedApplication = try seal.seal(
                KioskJSON.encoder().encode(
                    SealedApplication(values: submission.values, materials: submission.materials, signaturePNG: submission.signaturePNG)))
        } catch {
            throw SessionError(.incomplete, "暂时无法保存申请，请联系工作人员 (the application could not be sealed)")
        }
        let (division, kiosk, kioskID) = (settings.divisionCode, settings.kioskNumber, self.kioskID)
        let citizenKey = seal.citizenKey(idNumber: submission.idNumber)
        let stored: NewCase
        do {
            stored = try await store.insertNumbered(dayTag: tag) { sequence in
                guard let number = ReceiptNumber(division: division, day: today, kiosk: kiosk, sequence: sequence) else {
                    throw StoreError(.other, "receipt number out of range (sequence \(sequence))")
                }
                let bundleCase = BundleCase(id: caseID, receipt: number, bundle: submission.bundle, day: today, at: now)
                let message = CaseMessage(
                    caseID: caseID.description, receiptNumber: number.description, bundle: submission.bundle.id,
                    bundleVersion: submission.bundle.version, kioskID: kioskID, receivedAt: now,
                    materials: submission.materials, sealedApplication: sealedApplication)
                return NewCase(
                    id: caseID.description, receiptNumber: number.description, bundleID: submission.bundle.id,
                    createdAt: now, sealed: sealedApplication, outboxPayload: try KioskJSON.encoder().encode(message),
                    citizenKey: citizenKey, detail: try KioskJSON.encoder().encode(bundleCase))
            }
        } catch {
            logger.error("Case not stored", metadata: ["error": "\(error.code)", "bundle": "\(submission.bundle.id)"])
            throw SessionError(
                .incomplete,
                error.code == .diskFull
                    ? "终端存储空间不足，申请未能保存，请联系工作人员 (the kiosk's storage is full; nothing was submitted)"
                    : "申请未能保存，请稍后重试或联系工作人员 (the application could not be stored; nothing was submitted)")
        }
        logger.notice("Case received", metadata: ["case": "\(stored.id)", "bundle": "\(stored.bundleID)"])
        // The case is committed: from here on nothing may undo it, printing included. If the
        // session ended while the commit was waiting (timeout, start over), the receipt still
        // prints: the case exists and its citizen may be standing at the kiosk.
        let stillShown = generation == servedGeneration && session.step == .review
        if stillShown { try session.submitted(receiptNumber: stored.receiptNumber) }
        let schedule = calendar.map { blueprint.schedule(from: today, calendar: $0) }
        let items = blueprint.bundle.items.map { item in
            let promised = schedule?.items.first { $0.item == item.id }?.promisedDeadline.date
            return SessionView.ReceiptItem(name: item.name, department: item.department, promisedBy: promised?.description)
        }
        let document = receiptDocument(
            number: stored.receiptNumber, at: now, blueprint: blueprint, submission: submission, items: items, today: today,
            calendar: calendar)
        guard stillShown else {
            logger.warning("Session ended while its case was committed; printing the receipt anyway", metadata: ["case": "\(stored.id)"])
            startPrinting(document)
            return
        }
        submittedCase = SubmittedCase(caseID: stored.id, number: stored.receiptNumber, document: document, items: items, print: .printing)
        startPrinting(document)
    }

    private func receiptDocument(
        number: String, at: Date, blueprint: BundleBlueprint, submission: SessionSubmission, items: [SessionView.ReceiptItem],
        today: CivilDate, calendar: WorkingDayCalendar?
    ) -> KioskDocument {
        let header = DocumentHeader(
            caseNumber: number, kioskID: kioskID, issuedAt: at,
            bundle: DocumentBundle(code: blueprint.bundle.id, name: blueprint.bundle.name),
            applicant: Self.maskedName(submission.applicantName),
            statusURL: settings.statusURL.replacingOccurrences(of: "{number}", with: number))
        // Deferred materials are due within 10 working days of reception (the pledge's terms).
        let due = calendar.map { $0.adding(10, .working, to: today).date } ?? today.adding(days: 14)
        var materials = DocumentMaterials()
        for requirement in blueprint.materials {
            switch submission.materials[requirement.definition.id] {
            case .provided?: materials.received.append(ReceivedMaterial(name: requirement.definition.name, form: "现场提交"))
            case .electronic?: materials.electronic.append(ElectronicMaterial(name: requirement.definition.name, source: "电子证照库"))
            case .deferred?:
                if let deadline = DocumentDate(due.description) {
                    materials.deferred.append(DeferredMaterial(name: requirement.definition.name, deadline: deadline))
                }
            case nil: break
            }
        }
        return .receipt(
            ReceiptDocument(
                header: header,
                items: items.map { DocumentItem(name: $0.name, department: $0.department, promisedBy: $0.promisedBy.flatMap(DocumentDate.init)) },
                materials: materials))
    }

    private func startPrinting(_ document: KioskDocument) {
        guard let printQueue, let printer = settings.receiptPrinter else {
            showOnScreen(document, reason: "no-printer")
            return
        }
        let wait = settings.printWait
        let paper = settings.receiptPaper
        printTask = Task { [weak self] in
            do {
                let job = try await printQueue.enqueue(document, printer: printer, paper: paper)
                let outcome = try await printQueue.outcome(of: job.id, timeout: wait)
                await self?.printed(outcome, number: document.header.caseNumber)
            } catch {
                await self?.showOnScreen(document, reason: "print-failed")
            }
        }
    }

    private func printed(_ outcome: PrintOutcome, number: String) {
        guard submittedCase?.number == number else { return }
        switch outcome {
        case .printed: submittedCase?.print = .printed
        case let .showOnScreen(receipt, _): submittedCase?.print = .onScreen(receipt)
        }
        changed("printed")
    }

    private func showOnScreen(_ document: KioskDocument, reason: String) {
        guard submittedCase?.number == document.header.caseNumber else { return }
        if let receipt = try? ScreenReceipt(document: document, reason: reason) {
            submittedCase?.print = .onScreen(receipt)
        } else {
            submittedCase?.print = .failed
        }
        changed("printed")
    }

    private func reprint(_ number: String) async throws(SessionError) {
        guard session.step == .progress, progress.contains(where: { $0.receiptNumber == number }) else {
            throw SessionError(.wrongStep, "只能补打本人的回执 (only your own receipts can be reprinted)")
        }
        let servedGeneration = generation
        guard let printQueue else {
            throw SessionError(.wrongStep, "打印机暂不可用 (no printer is available)")
        }
        let jobID: String?
        do { jobID = try await store.latestPrintJobID(caseNumber: number) } catch {
            throw SessionError(.wrongStep, "暂时无法补打，请联系工作人员 (cannot reprint now)")
        }
        guard let jobID else { throw SessionError(.wrongStep, "该回执没有打印记录，请到窗口办理 (no receipt on record)") }
        do {
            _ = try await printQueue.reprint(PrintJobID(rawValue: jobID), requestedBy: .citizenReprint, printer: settings.receiptPrinter)
            // The list may be gone (card lifted, session ended) while the reprint was queued.
            if generation == servedGeneration, let index = progress.firstIndex(where: { $0.receiptNumber == number }) {
                progress[index].reprinted = true
            }
        } catch {
            throw SessionError(.wrongStep, "补打失败，请联系工作人员 (the reprint failed)")
        }
    }

    // MARK: Progress

    private func loadProgress(idNumber: String) {
        let key = seal.citizenKey(idNumber: idNumber)
        let servedGeneration = generation
        progressTask = Task { [weak self] in
            let cases = (try? await self?.store.cases(citizenKey: key)) ?? []
            await self?.showProgress(cases, idNumber: idNumber, generation: servedGeneration)
        }
    }

    private func showProgress(_ cases: [StoredCase], idNumber: String, generation served: Int) {
        guard generation == served, session.step == .progress, session.card?.idNumber == idNumber else { return }
        progress = cases.map { stored in
            let detail = stored.detail.flatMap { try? KioskJSON.decoder().decode(BundleCase.self, from: $0) }
            let bundle = catalog?.bundle(stored.bundleID)
            let items = (bundle?.items ?? []).map { item in
                let state = detail?.state(of: item.id) ?? .received
                return ProgressCase.Item(name: item.name, department: item.department, state: state.rawValue, label: Self.label(state))
            }
            return ProgressCase(
                receiptNumber: stored.receiptNumber, bundleName: bundle?.name ?? stored.bundleID,
                receivedAt: stored.createdAt, items: items,
                ready: detail.map { c in c.items.values.contains { $0.state == .approved } } ?? false)
        }
        changed("progress")
    }

    static func label(_ state: ItemState) -> String {
        switch state {
        case .received: "已收件"
        case .accepted: "已受理"
        case .notAccepted: "不予受理"
        case .inReview: "审核中"
        case .awaitingSupplements: "待补正"
        case .suspended: "特别程序"
        case .approved: "已办结，可领取"
        case .denied: "不予许可"
        case .withdrawn: "已撤回"
        case .delivered: "已送达"
        case .archived: "已归档"
        }
    }

    // MARK: Prefill

    private func prefillValues(idNumber: String) async -> [FieldKey: SessionFieldValue] {
        var values: [FieldKey: SessionFieldValue] = [:]
        // 一次申报、多次复用: what this citizen gave in earlier applications at this kiosk.
        if let earlier = try? await store.cases(citizenKey: seal.citizenKey(idNumber: idNumber), limit: 5) {
            for stored in earlier.reversed() {
                guard let plain = try? seal.unseal(stored.sealed),
                    let application = try? KioskJSON.decoder().decode(SealedApplication.self, from: plain)
                else { continue }
                for (key, value) in application.values where value.source != .idCard {
                    values[key] = SessionFieldValue(value: value.value, source: .earlierApplication)
                }
            }
        }
        if let prefill { values.merge(await prefill.values(forIDNumber: idNumber)) { _, shared in shared } }
        remember(values.values.map(\.value))
        return values
    }

    // MARK: Ending

    private func end(reason: String) {
        generation += 1
        printTask?.cancel()
        printTask = nil
        progressTask?.cancel()
        progressTask = nil
        session = CitizenSession()
        token = nil
        submittedCase = nil
        progress = []
        redactor.forget(remembered)
        remembered = []
        updateCardDemand()
        logger.info("Session ended", metadata: ["reason": "\(reason)"])
        changed(reason)
    }

    private func remember(_ values: [String]) {
        let fresh = values.filter { !$0.isEmpty }
        redactor.remember(fresh)
        remembered += fresh
    }

    private func touch() { lastActivity = clock.now }

    private func updateCardDemand() {
        switch session.step {
        case .card, .form, .materials, .review, .progressCard, .progress: cardReader.wantCard()
        case .attract, .notice, .receipt, .rating: cardReader.stopWantingCard()
        }
    }

    private func changed(_ reason: String) {
        sequence += 1
        bus.publish(
            SessionChanged(
                step: session.step, reason: reason, sequence: sequence,
                atMilliseconds: Int64((Date().timeIntervalSince1970 * 1000).rounded())))
    }

    private func check(_ presented: String?) throws(Failure) {
        guard let token, let presented, Self.constantTimeEqual(token, presented) else {
            throw Failure(kind: .noSession, code: "no-session", message: "会话已结束，请重新开始 (the session has ended; start again)")
        }
    }

    // MARK: The view

    private func view() -> SessionView {
        let remaining: Duration = max(.zero, settings.idleTimeout - (clock.now - lastActivity))
        let idle = SessionView.Idle(
            timeoutSeconds: Int(settings.idleTimeout.components.seconds), remainingSeconds: Int(remaining.components.seconds),
            countdownSeconds: Int(settings.countdown.components.seconds))
        var view = SessionView(
            step: session.step, alert: session.alert?.rawValue, cardPresent: session.cardPresent, idle: idle,
            online: settings.platformOnline, sequence: sequence)
        guard !session.isIdle else { return view }
        if let blueprint = session.blueprint {
            view.bundle = .init(
                id: blueprint.bundle.id, name: blueprint.bundle.name, leadDepartment: blueprint.bundle.leadDepartment,
                items: blueprint.bundle.items.map {
                    .init(name: $0.name, department: $0.department, promisedDays: Self.chinese($0.promisedLimit))
                })
            view.materials = blueprint.materials.map { m in
                var allowed: [MaterialChoice] = [.provided]
                if m.disposition == .obtainedElectronically { allowed.append(.electronic) }
                if m.disposition == .deferrable { allowed.append(.deferred) }
                return .init(
                    id: m.definition.id, name: m.definition.name, original: m.definition.originalRequired,
                    choice: session.materials[m.definition.id], allowed: allowed)
            }
            view.needsPledge = session.needsPledge
            view.signed = session.signaturePNG != nil
        }
        if [.form, .materials, .review].contains(session.step), let blueprint = session.blueprint {
            view.form = blueprint.form.map { field in
                let value = session.values[field.definition.key]
                var options: [String]?
                if case let .enumeration(list) = field.definition.type { options = list }
                // Numbers read from the card or shared data are shown masked; what the citizen
                // typed is theirs to see and correct.
                let shown =
                    field.definition.type == .idNumber && value?.source != .citizen
                    ? value.map { Self.maskedID($0.value) } : value?.value
                return .init(
                    key: field.definition.key, label: field.definition.label, type: field.definition.type.name, options: options,
                    value: shown, source: value?.source.rawValue, editable: value?.source != .idCard,
                    asked: value == nil || value?.source == .citizen)
            }
            view.applicant = session.card.map { Self.maskedName($0.name) }
        }
        if let submitted = submittedCase, [.receipt, .rating].contains(session.step) {
            view.receipt = .init(number: submitted.number, items: submitted.items, print: submitted.print)
        }
        if session.step == .progress {
            view.applicant = session.card.map { Self.maskedName($0.name) }
            view.progress = progress
        }
        return view
    }

    // MARK: Helpers

    /// `3个工作日`, `20个自然日`: how a citizen reads a time limit.
    static func chinese(_ limit: TimeLimit) -> String {
        "\(limit.days)个\(limit.counting == .working ? "工作日" : "自然日")"
    }

    static func newToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let digits = Array("0123456789abcdef")
        return String((0..<32).map { _ in digits[Int(generator.next(upperBound: UInt8(16)))] })
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// `张*明`: enough for the citizen to recognise, not for a passer-by to learn.
    static func maskedName(_ name: String) -> String {
        let characters = Array(name)
        switch characters.count {
        case 0, 1: return name
        case 2: return "\(characters[0])*"
        default: return "\(characters[0])" + String(repeating: "*", count: characters.count - 2) + "\(characters[characters.count - 1])"
        }
    }

    /// `110105********1234`.
    static func maskedID(_ number: String) -> String {
        guard number.count > 10 else { return String(repeating: "*", count: number.count) }
        return String(number.prefix(6)) + String(repeating: "*", count: number.count - 10) + String(number.suffix(4))
    }

    /// The kiosk's day: China Standard Time (UTC+8, no daylight saving).
    static func civilDay(_ date: Date) -> CivilDate {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down)) + 8 * 3600
        return CivilDate(dayNumber: Int((Double(seconds) / 86400).rounded(.down)))
    }

    static func dayTag(_ day: CivilDate) -> String { day.description.replacingOccurrences(of: "-", with: "") }
}

/// One action of the citizen on the session.
public enum SessionAction: Sendable {
    case acknowledgeNotice
    case fill([FieldKey: String])
    case confirmForm
    case material(MaterialID, MaterialChoice?)
    case sign(Data)
    case confirmMaterials
    case back
    case submit
    case finishReceipt
    case rate(Int)
    case reprint(String)
    case startOver

    var name: String {
        switch self {
        case .acknowledgeNotice: "notice-acknowledged"
        case .fill: "form-filled"
        case .confirmForm: "form-confirmed"
        case .material: "material-chosen"
        case .sign: "pledge-signed"
        case .confirmMaterials: "materials-confirmed"
        case .back: "back"
        case .submit: "submitted"
        case .finishReceipt: "receipt-taken"
        case .rate: "rated"
        case .reprint: "reprinted"
        case .startOver: "start-over"
        }
    }
}
