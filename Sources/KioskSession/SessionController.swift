import Foundation
import KioskAPI
import KioskCore
import KioskDevices
import KioskDocuments
import KioskPrinting
import KioskSeal
import KioskStore
import Logging

/// Runs the one citizen session of the kiosk: validates every action, keeps the idle timer,
/// follows the card reader, commits cases, prints receipts, and wipes everything at the end.
///
/// The parts live beside this file: `+Submission` (what happens when the citizen taps 提交),
/// `+Receipt` (printing and the on-screen fallback), `+Progress` ("check my progress"),
/// `+Prefill` (一次申报 多次复用), `+Idle` (the idle wipe), `+View` (what the screen may show) and
/// `+Results` (results printed at the kiosk, 统一出件).
public actor SessionController {
    let kioskID: String
    let settings: SessionSettings
    var catalog: Catalog?
    var calendar: WorkingDayCalendar?
    let store: any SessionStore
    let lookup: CitizenLookup
    /// The platform's key every case is sealed to; nil until the kiosk has one (enrolment, a
    /// signed key bundle, or a test's key): without it no application is taken.
    var sealingKey: SealingKey?
    /// Where the key came from, for the doctor (`enrolment`, `signed bundle`…).
    var sealingOrigin = ""
    let outbox: any OutboxMessageFormat
    let printQueue: PrintQueue?
    let bus: EventBus
    let cardReader: IDCardReaderControls
    var prefill: (any PrefillSourceLookup)?
    let redactor: Redactor
    let logger: Logger
    let clock: SessionClock

    /// Subscribed at construction, so that no card event is lost before `run()` starts.
    let events: EventBus.Subscription
    var session = CitizenSession()
    /// Wakes the idle watch when a session starts.
    let (sessionStarts, sessionStarted) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
    /// Work that outlives the action that started it (waiting for a receipt's print outcome,
    /// reading the citizen's cases): `run()`'s task group runs it, so no task is left loose.
    let (work, workQueue) = AsyncStream<@Sendable () async -> Void>.makeStream()
    var token: SessionToken?
    /// The monotonic time of the last touch or action.
    var lastActivity: Duration
    var sequence = 0
    /// Personal values registered with the log redactor for this session, forgotten at its end.
    var remembered: [String] = []
    var submittedCase: SubmittedCase?
    var progress: [ProgressCase] = []
    /// Grows each time a session ends: work that waited (a commit, a store lookup) checks it
    /// to know whether the session it served is still the one on screen.
    var generation = 0
    /// A submission is being committed: a second tap on 提交 must not commit a second case.
    var submitting = false
    /// The citizen agreed, on the notice, that the kiosk asks the platform for their shared
    /// data to fill the form (一人一档); refused, the form asks everything.
    var sharedDataConsent = true
    /// Whether applications are open (the daemon updates it from the store and the sync).
    var intake = IntakeStatus.open
    /// The technician in maintenance mode (`+Maintenance`): no session starts meanwhile.
    var maintenanceBy: String?
    /// The query-and-print services offered: the platform's signed list once it came, else the
    /// configuration's.
    var queryServices: [QueryService]
    /// Where query-and-print services are answered (the platform; nil: offline-only kiosk).
    var certificates: (any CertificateSource)?
    /// The query-and-print visit under way (`+Query`).
    var certificateVisit: CertificateVisit?
    /// Where results collected here come from and print (`+Results`); nil: none is printed here.
    var resultDesk: ResultDesk?
    /// The results "check my progress" offers in this session, and the print under way.
    var resultCounter = ResultCounter()

    /// The case submitted in this session, while its receipt is on screen.
    struct SubmittedCase {
        var caseID: String
        var number: String
        var document: KioskDocument
        var items: [SessionView.ReceiptItem]
        var print: SessionView.PrintState
    }

    public init(
        kioskID: String, settings: SessionSettings, catalog: Catalog?, calendar: WorkingDayCalendar?, store: any SessionStore,
        lookup: CitizenLookup, sealingKey: SealingKey?, outbox: any OutboxMessageFormat, printQueue: PrintQueue?, bus: EventBus,
        cardReader: IDCardReaderControls,
        prefill: (any PrefillSourceLookup)?, redactor: Redactor, logger: Logger, clock: SessionClock = .system
    ) {
        self.kioskID = kioskID
        self.settings = settings
        self.catalog = catalog
        self.calendar = calendar
        self.store = store
        self.lookup = lookup
        self.sealingKey = sealingKey
        self.outbox = outbox
        self.printQueue = printQueue
        self.bus = bus
        self.cardReader = cardReader
        self.prefill = prefill
        self.redactor = redactor
        self.logger = logger
        self.clock = clock
        self.queryServices = settings.queryServices
        self.lastActivity = clock.uptime()
        self.events = bus.subscribe()
    }

    // MARK: Running

    /// Follows the card reader and the touch screen, wipes idle sessions and runs the
    /// session's background work, until cancelled.
    public func run() async {
        let events = self.events
        await withDiscardingTaskGroup { group in
            group.addTask { [weak self] in
                for await event in events {
                    guard let self else { return }
                    await self.handle(event)
                }
            }
            group.addTask { [weak self] in await self?.watchIdleness() }
            // Ends when this task is cancelled: the service's turn to stop.
            for await job in work {
                group.addTask(operation: job)
            }
            group.cancelAll()
        }
        cardReader.stopWantingCard()
    }

    /// Hands work to `run()`'s task group.
    func schedule(_ job: @escaping @Sendable () async -> Void) {
        workQueue.yield(job)
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
        guard [.card, .form, .materials, .review, .progressCard, .queryCard].contains(session.step) else { return }
        remember(card.personalValues)
        touch()
        var known: [FieldKey: SessionFieldValue] = [:]
        if ![.progressCard, .queryCard].contains(session.step) {
            known = await prefillValues(idNumber: card.idNumber)
        }
        session.cardRead(card, prefill: known, catalog: catalog)
        if session.step == .progress { loadProgress(idNumber: card.idNumber) }
        updateCardDemand()
        changed("card-read")
    }

    // MARK: Actions (the local API calls these)

    /// Whether no citizen is using the kiosk (the technician may take the screen).
    public var isIdle: Bool { session.isIdle }

    /// The bundles offered on the attract screen (nothing personal; no token needed). When the
    /// kiosk cannot take applications, the offer says so before anyone starts.
    public func offer() -> OfferView {
        var offer = OfferView(
            kioskID: kioskID, online: intake.online || settings.platformOnline,
            bundles: (catalog?.bundles ?? []).map {
                OfferView.Bundle(id: $0.id, name: $0.name, leadDepartment: $0.leadDepartment, items: $0.items.count)
            },
            idleTimeoutSeconds: Int(settings.idleTimeout.components.seconds), queryServices: queryServices)
        let intake = currentIntake
        offer.acceptingApplications = intake.acceptsApplications
        offer.notice = intake.notice
        if let hours = settings.openingHours {
            offer.openingHours = hours.lines
            offer.hallOpen = hours.isOpen(at: clock.now(), in: settings.timeZone)
        }
        return offer
    }

    /// The daemon's verdict, and this controller's own: nothing can be sealed without the
    /// platform's key, so nothing is taken.
    var currentIntake: IntakeStatus {
        if maintenanceBy != nil { return .maintenance(online: intake.online) }
        // The daemon's reason first: a full disk or a damaged store is what a technician must fix.
        guard intake.acceptsApplications, sealingKey == nil else { return intake }
        return IntakeStatus(
            acceptsApplications: false, online: intake.online, notice: IntakeStatus.unenrolledNotice,
            reason: "no sealing key from the platform: enrol this kiosk (kioskctl enroll)")
    }

    /// Where prefill comes from from now on (the platform, once the relay exists).
    public func use(prefill: any PrefillSourceLookup) { self.prefill = prefill }

    /// Where query-and-print services are answered from now on (the platform).
    public func use(certificates: any CertificateSource) { self.certificates = certificates }

    /// The key cases are sealed to now, and where it came from.
    public var sealing: (id: String, origin: String)? { sealingKey.map { ($0.id, sealingOrigin) } }

    /// A newer sealing key (a signed key bundle): cases submitted from now on are sealed to it.
    public func install(sealingKey: SealingKey, origin: String) {
        sealingOrigin = origin
        guard sealingKey != self.sealingKey else { return }
        self.sealingKey = sealingKey
        logger.notice("Sealing to a new platform key", metadata: ["key": "\(sealingKey.id)"])
        changed("intake")
    }

    /// Whether applications are open, as the daemon's watch of the store and the sync decides.
    public func updateIntake(_ status: IntakeStatus) {
        guard status != intake else { return }
        if !status.acceptsApplications {
            logger.warning("New applications closed", metadata: ["reason": "\(status.reason ?? "-")"])
        } else if !intake.acceptsApplications {
            logger.notice("New applications open again")
        }
        intake = status
        changed("intake")
    }

    /// Starts a session for a bundle, or for "check my progress" (`bundle == nil`). Ends any
    /// session left behind first: the kiosk has one screen and one citizen.
    public func start(bundle: String?, token presented: String? = nil) throws(SessionFailure) -> SessionView {
        // A citizen's running session is replaced only by its own screen: with its token, or
        // once the idle timeout ended it. Any other local process is refused.
        if !session.isIdle { try checkToken(presented) }
        if maintenanceBy != nil {
            throw SessionFailure(.unavailable, reason: "maintenance", IntakeStatus.maintenanceNotice)
        }
        if let bundle, let catalog, catalog.bundle(bundle) == nil {
            throw SessionFailure(.unknown, reason: "unknown-bundle", "没有该事项 (no such service: \(bundle))")
        }
        var fresh = CitizenSession()
        do throws(SessionError) {
            if let bundle {
                let intake = currentIntake
                guard intake.acceptsApplications else {
                    throw SessionError(.wrongStep, intake.notice ?? IntakeStatus.offlineNotice)
                }
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
                try fresh.choose(blueprint, materialCapture: settings.materialCapture)
            } else {
                try fresh.checkProgress()
            }
        } catch {
            throw SessionFailure(refused: error)
        }
        // A valid start replaces whatever session was left behind, wiping it first.
        if !session.isIdle { end(reason: "replaced") }
        session = fresh
        sharedDataConsent = true
        let token = SessionToken()
        self.token = token
        touch()
        sessionStarted.yield()
        updateCardDemand()
        changed("started")
        var view = view()
        view.token = token.value
        return view
    }

    /// The session as the screen shows it.
    public func current(token: String?) throws(SessionFailure) -> SessionView {
        try checkToken(token)
        return view()
    }

    /// One action of the citizen.
    public func perform(_ action: SessionAction, token: String?) async throws(SessionFailure) -> SessionView {
        try checkToken(token)
        touch()
        do throws(SessionError) {
            switch action {
            case .acknowledgeNotice:
                try session.acknowledgeNotice()
                sharedDataConsent = true
            case .acknowledgeNoticeWithoutLookup:
                try session.acknowledgeNotice()
                sharedDataConsent = false
            case let .answer(question, answer):
                guard let catalog else { throw SessionError(.wrongStep, "事项目录暂不可用，请联系工作人员 (the service catalog is not available)") }
                try session.answer(question, answer, catalog: catalog)
            case let .fill(values):
                try session.fill(values)
                // What the citizen typed about a person (a ward's name and number, a child's,
                // an address) is scrubbed from logs like the card's own values.
                let form = session.blueprint?.form ?? []
                remember(
                    values.compactMap { key, value in
                        form.first { $0.definition.key == key }?.definition.type.isPersonal == true ? value : nil
                    })
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
                await rate(level)
                return view()
            case let .reprint(number):
                try await reprint(number)
            case .startOver:
                end(reason: "start-over")
                return view()
            case .consentQuery:
                try consentToQuery()
            }
        } catch {
            changed("refused")
            throw SessionFailure(refused: error)
        }
        updateCardDemand()
        changed(action.name)
        return view()
    }

    /// The citizen touched the screen (or the page reported activity): the idle timer restarts.
    public func activity(token: String?) throws(SessionFailure) -> SessionView {
        try checkToken(token)
        touch()
        return view()
    }

    /// Stores the 好差评 rating of the case just submitted and ends the visit.
    private func rate(_ level: Int) async {
        let caseID = submittedCase?.caseID
        // Ended before the store is awaited: a second tap finds no session, not a second rating.
        end(reason: "rated")
        guard let caseID else { return }
        do { try await store.recordRating(caseID: caseID, level: level, at: clock.now()) } catch {
            logger.error("Rating not stored", metadata: ["error": "\(error.code)"])
        }
    }

    // MARK: Ending

    func end(reason: String) {
        generation += 1
        session = CitizenSession()
        token = nil
        submittedCase = nil
        progress = []
        abandonCertificate()
        // A result still printing (or waiting for paper) is cancelled: nothing prints for nobody.
        closeResultCounter()
        redactor.forget(remembered)
        remembered = []
        updateCardDemand()
        logger.info("Session ended", metadata: ["reason": "\(reason)"])
        changed(reason)
    }

    func remember(_ values: [String]) {
        let fresh = values.filter { !$0.isEmpty }
        redactor.remember(fresh)
        remembered += fresh
    }

    func touch() { lastActivity = clock.uptime() }

    func updateCardDemand() {
        switch session.step {
        case .card, .form, .materials, .review, .progressCard, .progress, .queryCard, .queryConsent: cardReader.wantCard()
        case .attract, .notice, .receipt, .rating, .certificate: cardReader.stopWantingCard()
        }
    }

    func changed(_ reason: String) {
        sequence += 1
        bus.publish(
            SessionChanged(
                step: session.step, reason: reason, sequence: sequence,
                atMilliseconds: Int64((clock.now().timeIntervalSince1970 * 1000).rounded())))
    }

    /// The presented token against the running session's: none running is 409 (the page
    /// starts over), none presented 401, another one 403 (kept apart, so that a screen whose
    /// session ended is never confused with a process trying someone else's).
    func checkToken(_ presented: String?) throws(SessionFailure) {
        guard let token else {
            throw SessionFailure(.noSession, reason: "no-session", "会话已结束，请重新开始 (the session has ended; start again)")
        }
        guard let presented, !presented.isEmpty else {
            throw SessionFailure(
                .tokenRequired, reason: "token-required", "请在本机屏幕上操作 (this session belongs to the kiosk's screen; present its token)")
        }
        guard token.matches(presented) else {
            throw SessionFailure(.notYours, reason: "not-yours", "该会话属于正在办理的市民 (the token is not this session's)")
        }
    }
}
