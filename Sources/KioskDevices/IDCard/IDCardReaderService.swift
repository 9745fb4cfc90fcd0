import Foundation
import KioskCore
import Logging
import Synchronization

/// What the citizen's session tells the card reader: whether it wants a card now.
public final class IDCardReaderControls: Sendable {
    private struct State {
        var wanted = false
        var generation = 0
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var nextWaiter = 0
    }

    // The mutex guards the demand, a generation number, and the pausing readers to wake.
    private let state = Mutex(State())

    public init() {}

    /// Starts polling for a card (a session reached the "place your card" step).
    public func wantCard() { set(true) }

    /// Stops polling for a card (the session has its card or ended).
    public func stopWantingCard() { set(false) }

    /// Whether a session wants a card.
    public var isCardWanted: Bool { state.withLock { $0.wanted } }

    var generation: Int { state.withLock { $0.generation } }

    /// Returns once the demand differs from `generation` (or the task is cancelled), without
    /// waking in between: an idle kiosk must not spend CPU asking whether a card is wanted.
    func changed(since generation: Int) async {
        let key = state.withLock { state -> Int in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.generation != generation || Task.isCancelled { return true }
                    state.waiters[key] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: key) }?.resume()
        }
    }

    private func set(_ wanted: Bool) {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            guard state.wanted != wanted else { return [] }
            state.wanted = wanted
            state.generation += 1
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }
}

/// The ID card reader as a device driver: opens the profile's transport, checks the SAM,
/// polls for cards only while a session wants one, reads each card once, notices when it is
/// lifted, and publishes `card.inserted`, `card.read`, `card.read-failed` and `card.removed`.
///
/// When the reader goes away it throws ``DeviceUnavailable``; the ``DeviceSupervisor`` runs
/// it again, which reopens the transport, so a replugged reader works without a restart.
public struct IDCardReaderService: DeviceDriver {
    public let id: DeviceID
    public var kind: DeviceKind { .idCardReader }
    public let isSimulated: Bool
    public let settings: IDCardProfileSettings
    public let model: String
    public let controls: IDCardReaderControls
    public let bus: EventBus
    public let photoDecoder: (any WLTPhotoDecoder)?
    /// How many failed reads of one card are retried before the card is left alone until lifted.
    public let readAttempts: Int
    /// Why the profile's photo decoder could not be loaded, if it could not (photos then stay raw).
    public let photoDecoderProblem: String?
    private let openTransport: @Sendable () throws(IDCardReaderError) -> any SAMTransport

    /// Creates the driver; `openTransport` is called at every (re)start.
    public init(
        id: DeviceID, settings: IDCardProfileSettings, model: String, bus: EventBus, controls: IDCardReaderControls,
        photoDecoder: (any WLTPhotoDecoder)? = nil, photoDecoderProblem: String? = nil, simulated: Bool = false,
        readAttempts: Int = 3, openTransport: @escaping @Sendable () throws(IDCardReaderError) -> any SAMTransport
    ) {
        self.id = id
        self.settings = settings
        self.model = model
        self.bus = bus
        self.controls = controls
        self.photoDecoder = photoDecoder
        self.photoDecoderProblem = photoDecoderProblem
        self.isSimulated = simulated
        self.readAttempts = max(1, readAttempts)
        self.openTransport = openTransport
    }

    /// The driver a profile describes. A malformed profile is an error; a missing reader is
    /// not (it is waited for), nor is a configured photo library that is not installed (cards
    /// are still read, photos stay raw, and ``photoDecoderProblem`` says why).
    public static func make(
        id: DeviceID, profile: DeviceProfile, bus: EventBus, controls: IDCardReaderControls, devicePath: String? = nil,
        simulator: SimulatedSAM? = nil
    ) throws -> IDCardReaderService {
        let settings = try IDCardProfileSettings.load(from: profile)
        let opener = IDCardTransportOpener(
            settings: settings, usbIDs: profile.usb, devicePath: devicePath, simulator: simulator)
        var decoder: WLTLibraryDecoder?
        var problem: String?
        do throws(IDCardReaderError) {
            decoder = try WLTLibraryDecoder.configured(by: settings)
        } catch {
            problem = error.message
        }
        return IDCardReaderService(
            id: id, settings: settings, model: profile.model, bus: bus, controls: controls, photoDecoder: decoder,
            photoDecoderProblem: problem, simulated: settings.transport == .simulator,
            openTransport: { () throws(IDCardReaderError) in try opener.open() })
    }

    public func run(registry: DeviceRegistry, logger: Logger) async throws {
        let transport: any SAMTransport
        do {
            transport = try openTransport()
        } catch {
            throw error.meansDeviceGone || error.code == .busy || error.code == .permissionDenied ? error.unavailable : error
        }
        let reader = SAMReader(transport: transport, timeouts: settings.timeouts)
        do throws(IDCardReaderError) {
            try await serve(reader, registry: registry, logger: logger)
            await reader.close()
        } catch {
            await reader.close()
            if error.code == .cancelled || Task.isCancelled { throw CancellationError() }
            if error.meansDeviceGone { throw error.unavailable }
            throw error
        }
    }

    /// Where the card on the reader stands.
    private enum Slot {
        /// No card known.
        case empty
        /// A card was found and announced; reading it failed `attempts` times so far.
        case found(attempts: Int)
        /// The card was read (`read`) or given up on; it is not read again until lifted.
        case held(serial: CardSerial?, read: Bool)
    }

    private func serve(_ reader: SAMReader, registry: DeviceRegistry, logger: Logger) async throws(IDCardReaderError) {
        if let photoDecoderProblem {
            logger.warning("Photo decoder not loaded; photos stay raw", metadata: ["reason": "\(photoDecoderProblem)"])
        }
        do {
            try await reader.checkSAM()
        } catch  where error.code == .status {
            // A SAM that reports a fault may recover from a reset; one that still fails is broken.
            try await reader.resetSAM()
            try await reader.checkSAM()
        }
        let samID = try await reader.readSAMID()
        var capabilities: Set<String> = ["photo-raw"]
        if settings.readFingerprint { capabilities.insert("fingerprint") }
        if photoDecoder != nil { capabilities.insert("photo") }
        await registry.update(id) {
            $0.identity = DeviceIdentity(model: model, serial: samID.description, usbID: nil)
            $0.capabilities = capabilities
            $0.state = .online
            $0.fault = nil
        }
        logger.info("ID card reader ready", metadata: ["transport": "\(reader.transport.name)", "sam.id": "\(samID)"])

        var slot = Slot.empty
        var lastHealthCheck = ContinuousClock.now
        let cardInterval = Duration.milliseconds(settings.polling.cardIntervalMilliseconds)
        let healthInterval = Duration.milliseconds(settings.polling.healthIntervalMilliseconds)
        while !Task.isCancelled {
            let wanted = controls.isCardWanted
            switch slot {
            case let .held(_, read):
                // Removal is checked at the card pace while wanted, else at the health pace.
                if wanted || ContinuousClock.now - lastHealthCheck >= healthInterval {
                    lastHealthCheck = ContinuousClock.now
                    let present = try await isCardStillPresent(reader, read: read)
                    if !present {
                        slot = .empty
                        bus.publish(IDCardRemoved(device: id))
                        logger.info("Card removed")
                    }
                }
            case .empty, .found:
                if wanted {
                    slot = try await poll(reader, slot: slot, registry: registry, logger: logger)
                } else if ContinuousClock.now - lastHealthCheck >= healthInterval {
                    lastHealthCheck = ContinuousClock.now
                    try await reader.checkSAM()
                    await registry.update(id) {
                        if $0.state != .online { $0.state = .online }
                        $0.fault = nil
                    }
                }
            }
            await pause(wanted ? cardInterval : healthInterval)
        }
    }

    /// One find-select-read attempt; returns the new slot.
    private func poll(
        _ reader: SAMReader, slot: Slot, registry: DeviceRegistry, logger: Logger
    )
        async throws(IDCardReaderError) -> Slot
    {
        guard try await reader.findCard() else {
            if case .found = slot {
                // Found earlier, gone before it could be read (lifted mid-read).
                bus.publish(IDCardRemoved(device: id))
            }
            return .empty
        }
        var attempts = 0
        if case let .found(previous) = slot {
            attempts = previous
        } else {
            bus.publish(IDCardInserted(device: id))
        }
        await registry.report(id, state: .busy)
        var serial: CardSerial?
        do throws(IDCardReaderError) {
            serial = try await reader.selectCard()
            let record = try await reader.readCard(withFingerprint: settings.readFingerprint)
            // The additional address is optional: a failure to get it must not lose the read.
            let extra = try? await reader.readAdditionalAddress()
            var card: IDCardData
            do {
                card = try record.cardData(additionalAddress: extra)
            } catch {
                throw IDCardReaderError.protocolError(error, in: .readTextAndPhoto)
            }
            if let photoDecoder { card.photo.decode(with: photoDecoder) }
            await registry.count(.goodReads, for: id)
            await registry.report(id, state: .online)
            bus.publish(IDCardRead(device: id, card: card))
            logger.info("Card read", metadata: ["card.type": "\(card.type)", "photo.state": "\(card.photo.stateName)"])
            return .held(serial: serial, read: true)
        } catch {
            if error.meansDeviceGone || error.code == .cancelled { throw error }
            attempts += 1
            let outcome = error.status?.outcome
            let retry =
                attempts < readAttempts && outcome != .cardNotVerifiable && outcome != .cardNotSupported
                && outcome != .hardwareError
            await registry.count(.failedReads, for: id)
            bus.publish(IDCardReadFailed(device: id, error: error, willRetry: retry))
            logger.warning("Card read failed", metadata: ["error": "\(error.message)", "attempt": "\(attempts)"])
            if outcome == .hardwareError {
                await registry.report(id, state: .hardwareError, fault: error.fault)
                throw error
            }
            await registry.report(id, state: .online)
            return retry ? .found(attempts: attempts) : .held(serial: serial, read: false)
        }
    }

    /// Whether the card handled is still on the reader. A card read stays selected, so reading
    /// its additional address answers; once it leaves the field the SAM refuses, even if
    /// another card (or the same one put back) lies there now: that is a new placement, to be
    /// read anew (the next citizen, quick after the last). A card given up on was never read:
    /// only find card can tell, as can a line that did not answer the probe at all.
    private func isCardStillPresent(_ reader: SAMReader, read: Bool) async throws(IDCardReaderError) -> Bool {
        guard read else { return try await reader.findCard() }
        do {
            let response = try await reader.send(.readAdditionalAddress)
            return response.status == .ok || response.status == .noData
        } catch  where error.code == .timeout || error.code == .protocolError {
            return try await reader.findCard()
        }
    }

    /// Waits `duration`, or less if the session's demand changes.
    /// Waits `duration`, or less if a session starts or stops wanting a card meanwhile.
    private func pause(_ duration: Duration) async {
        let generation = controls.generation
        let controls = self.controls
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await Task.sleep(for: duration) }
            group.addTask { await controls.changed(since: generation) }
            await group.next()
            group.cancelAll()
        }
    }
}
