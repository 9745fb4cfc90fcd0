import Foundation
import KioskCore
import Synchronization

/// A card for the simulator: its data, the serial select-card answers, and optional blocks.
public struct SimulatedCard: Sendable, Hashable {
    public var data: IDCardData
    /// 8 bytes.
    public var serial: [UInt8]
    /// The additional address, if the card has one.
    public var additionalAddress: String?
    /// Fingerprint templates (512 or 1024 bytes), if the card has them.
    public var fingerprint: [UInt8]?

    /// Creates a card; the photo bytes are synthesised from the serial when the data has none.
    public init(data: IDCardData, serial: [UInt8], additionalAddress: String? = nil, fingerprint: [UInt8]? = nil) {
        var data = data
        if data.photo.wlt.isEmpty {
            // Not a real WLT image (none can be made without the vendor's encoder): a fixed
            // pattern of the right size, so frames have the real length.
            var state = serial.reduce(UInt32(2_166_136_261)) { ($0 ^ UInt32($1)) &* 16_777_619 }
            data.photo = CardPhoto(
                wlt: (0..<1024).map { _ in
                    state = state &* 1_103_515_245 &+ 12345
                    return UInt8(truncatingIfNeeded: state >> 16)
                })
        }
        self.data = data
        self.serial = serial
        self.additionalAddress = additionalAddress
        self.fingerprint = fingerprint
    }

    /// The text, photo and fingerprint as the card holds them.
    public var record: SAMCardRecord {
        SAMCardRecord(text: IDCardTextBlock.encode(data), photo: Array(data.photo.wlt), fingerprint: fingerprint)
    }
}

/// A fault the simulated SAM injects into its next matching reply (once), or a way it keeps
/// misbehaving (``SimulatedSAM/Behaviour``).
public enum SAMFault: Sendable, Hashable {
    /// Answer `command` (any command if `nil`) with this status and no data.
    case status(SAMStatus, for: SAMCommand?)
    /// Answer `command` with a checksum that is off by one.
    case corruptChecksum(for: SAMCommand?)
    /// The card is lifted halfway through sending the read reply: the rest never comes.
    case cardLiftedMidRead
    /// The reader is unplugged halfway through sending the read reply.
    case unplugMidRead
    /// Wait this long before answering `command`.
    case slowReply(Duration, for: SAMCommand?)

    func applies(to command: SAMCommand?) -> Bool {
        switch self {
        case let .status(_, target), let .corruptChecksum(target), let .slowReply(_, target):
            target == nil || target == command
        case .cardLiftedMidRead, .unplugMidRead:
            command == .readTextAndPhoto || command == .readTextPhotoAndFingerprint
        }
    }
}

/// What the simulated SAM sends back for one request, and how.
public struct SimulatedReply: Sendable {
    /// The bytes, in the pieces they are written in.
    public var chunks: [[UInt8]]
    /// Wait before the first piece.
    public var delay: Duration
    /// Wait between pieces.
    public var gap: Duration
    /// After the pieces, the line goes dead (unplugged).
    public var hangUp: Bool

    /// All bytes.
    public var bytes: [UInt8] { chunks.flatMap { $0 } }
}

/// A software SAM speaking the reader protocol byte for byte, with one card slot.
///
/// It behaves as readers do in the field: find card succeeds once per placement (after a
/// read, find answers "no card" until the card is lifted), select needs a find, read needs a
/// select, and the additional address answers while the card is present.
public final class SimulatedSAM: Sendable {
    /// How it keeps misbehaving, until changed.
    public struct Behaviour: Sendable, Hashable {
        /// Split every reply into pieces of this many bytes (`nil`: one write).
        public var chunkSize: Int?
        /// Wait between pieces.
        public var chunkGap: Duration = .zero
        /// Wait before every reply.
        public var replyDelay: Duration = .zero
        /// Bytes sent before every reply (line noise between frames).
        public var garbageBeforeReply: [UInt8] = []
        /// Select-card answers the card's serial, as a few models do; by default eight zero
        /// bytes, as the common readers do (and as clients compare byte for byte).
        public var selectReportsSerial = false

        public init(
            chunkSize: Int? = nil, chunkGap: Duration = .zero, replyDelay: Duration = .zero,
            garbageBeforeReply: [UInt8] = [], selectReportsSerial: Bool = false
        ) {
            self.selectReportsSerial = selectReportsSerial
            self.chunkSize = chunkSize
            self.chunkGap = chunkGap
            self.replyDelay = replyDelay
            self.garbageBeforeReply = garbageBeforeReply
        }
    }

    private struct State {
        var card: SimulatedCard?
        var found = false
        var selected = false
        var readSincePlaced = false
        var faults: [SAMFault] = []
        var behaviour = Behaviour()
        var rate = SAMBaudRate.b115200
        var requests = 0
    }

    /// The SAM's 16-byte id.
    public let samID: [UInt8]
    private let state: Mutex<State>

    /// Creates a SAM, optionally with a card already on it.
    public init(
        card: SimulatedCard? = nil,
        samID: [UInt8] = [0x05, 0x00, 0x01, 0x00, 0x4C, 0xBC, 0x32, 0x01, 0x93, 0x0E, 0x01, 0x00, 0xF7, 0x2B, 0x4F, 0x0A]
    ) {
        self.samID = samID
        self.state = Mutex(State(card: card))
    }

    /// Places a card on the reader (replacing any).
    public func place(_ card: SimulatedCard) {
        state.withLock {
            $0.card = card
            $0.found = false
            $0.selected = false
            $0.readSincePlaced = false
        }
    }

    /// Lifts the card off the reader.
    public func lift() {
        state.withLock {
            $0.card = nil
            $0.found = false
            $0.selected = false
        }
    }

    /// Power returns after an unplug: the SAM forgets which card it found, selected and read,
    /// so a card still on the reader is found again.
    public func powerCycle() {
        state.withLock {
            $0.found = false
            $0.selected = false
            $0.readSincePlaced = false
        }
    }

    /// Whether a card is on the reader.
    public var hasCard: Bool { state.withLock { $0.card != nil } }

    /// Queues a one-time fault.
    public func inject(_ fault: SAMFault) { state.withLock { $0.faults.append(fault) } }

    /// The current misbehaviour.
    public var behaviour: Behaviour {
        get { state.withLock { $0.behaviour } }
        set { state.withLock { $0.behaviour = newValue } }
    }

    /// The line speed the host last switched the SAM to.
    public var rate: SAMBaudRate { state.withLock { $0.rate } }

    /// How many requests it received.
    public var requestCount: Int { state.withLock { $0.requests } }

    /// The reply to a request that could not be decoded (`10` for a bad checksum, `11` for a
    /// bad length), as a real SAM answers host line noise.
    public func reply(toMalformed error: SAMProtocolError) -> SimulatedReply {
        let status: SAMStatus = error.code == .checksumMismatch ? .hostChecksumError : .hostLengthError
        return shape(SAMResponse(status: status).frame.bytes, command: nil, fault: nil)
    }

    /// The reply to one request frame.
    public func reply(to frame: SAMFrame) -> SimulatedReply {
        let request: SAMRequest
        do {
            request = try SAMRequest(frame)
        } catch {
            return reply(toMalformed: SAMProtocolError(.lengthTooSmall, error.message))
        }
        let command = request.knownCommand
        let (response, fault) = state.withLock { state -> (SAMResponse, SAMFault?) in
            state.requests += 1
            var fault: SAMFault?
            if let index = state.faults.firstIndex(where: { $0.applies(to: command) }) {
                fault = state.faults.remove(at: index)
            }
            if case let .status(status, _) = fault { return (SAMResponse(status: status), fault) }
            return (Self.respond(to: command, in: &state, samID: samID), fault)
        }
        var bytes = response.frame.bytes
        if case .corruptChecksum = fault { bytes[bytes.count - 1] &+= 1 }
        return shape(bytes, command: command, fault: fault)
    }

    private func shape(_ bytes: [UInt8], command: SAMCommand?, fault: SAMFault?) -> SimulatedReply {
        let behaviour = self.behaviour
        var bytes = behaviour.garbageBeforeReply + bytes
        var delay = behaviour.replyDelay
        var hangUp = false
        switch fault {
        case let .slowReply(extra, _):
            delay += extra
        case .cardLiftedMidRead:
            bytes = Array(bytes.prefix(bytes.count / 2))
            lift()
        case .unplugMidRead:
            bytes = Array(bytes.prefix(bytes.count / 2))
            hangUp = true
        default:
            break
        }
        var chunks: [[UInt8]] = []
        if let size = behaviour.chunkSize, size > 0 {
            var index = 0
            while index < bytes.count {
                chunks.append(Array(bytes[index..<min(index + size, bytes.count)]))
                index += size
            }
        } else {
            chunks = [bytes]
        }
        return SimulatedReply(chunks: chunks, delay: delay, gap: behaviour.chunkGap, hangUp: hangUp)
    }

    private static func respond(to command: SAMCommand?, in state: inout State, samID: [UInt8]) -> SAMResponse {
        guard let command else { return SAMResponse(status: .commandError) }
        switch command {
        case .resetSAM:
            state.found = false
            state.selected = false
            return SAMResponse(status: .ok)
        case .samStatus:
            return SAMResponse(status: .ok)
        case .readSAMID:
            return SAMResponse(status: .ok, data: samID)
        case .findCard:
            guard state.card != nil, !state.readSincePlaced else { return SAMResponse(status: .noCard) }
            state.found = true
            return SAMResponse(status: .cardFound, data: [0, 0, 0, 0])
        case .selectCard:
            guard let card = state.card, state.found else { return SAMResponse(status: .selectFailed) }
            state.selected = true
            return SAMResponse(status: .ok, data: state.behaviour.selectReportsSerial ? card.serial : [UInt8](repeating: 0, count: 8))
        case .readTextAndPhoto, .readTextPhotoAndFingerprint:
            guard let card = state.card, state.selected else { return SAMResponse(status: .readFailed) }
            state.readSincePlaced = true
            state.found = false
            state.selected = false
            var record = card.record
            if command == .readTextAndPhoto {
                record.fingerprint = nil
            } else if record.fingerprint == nil {
                record.fingerprint = []
            }
            return SAMResponse(status: .ok, data: record.replyData)
        case .readAdditionalAddress:
            // Only the card read in this placement: a card put down since has not been selected.
            guard let card = state.card, state.readSincePlaced else { return SAMResponse(status: .readFailed) }
            guard let address = card.additionalAddress else { return SAMResponse(status: .noData) }
            return SAMResponse(status: .ok, data: IDCardTextBlock.encodeAdditionalAddress(address))
        case let .setBaudRate(rate):
            state.rate = rate
            return SAMResponse(status: .ok)
        }
    }
}
