/// A command to the SAM: the `CMD PARA` pair at the start of a request's payload.
public enum SAMCommand: Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Reset the security module (`10 FF`).
    case resetSAM
    /// Ask whether the security module is working (`11 FF`).
    case samStatus
    /// Read the security module's 16-byte id (`12 FF`).
    case readSAMID
    /// Look for a card in the field (`20 01`); answers `9F` when one is there.
    case findCard
    /// Select the card found (`20 02`); answers its 8-byte serial.
    case selectCard
    /// Read the text and photo (`30 01`).
    case readTextAndPhoto
    /// Read the text, photo and fingerprints (`30 10`).
    case readTextPhotoAndFingerprint
    /// Read the additional address written at a later change of address (`30 03`).
    case readAdditionalAddress
    /// Switch the line speed (`60 00..04`); the host switches its port after the reply.
    case setBaudRate(SAMBaudRate)

    public static let allCases: [SAMCommand] =
        [
            .resetSAM, .samStatus, .readSAMID, .findCard, .selectCard, .readTextAndPhoto, .readTextPhotoAndFingerprint,
            .readAdditionalAddress,
        ] + SAMBaudRate.allCases.map { .setBaudRate($0) }

    /// The two command bytes.
    public var code: (command: UInt8, parameter: UInt8) {
        switch self {
        case .resetSAM: (0x10, 0xFF)
        case .samStatus: (0x11, 0xFF)
        case .readSAMID: (0x12, 0xFF)
        case .findCard: (0x20, 0x01)
        case .selectCard: (0x20, 0x02)
        case .readTextAndPhoto: (0x30, 0x01)
        case .readTextPhotoAndFingerprint: (0x30, 0x10)
        case .readAdditionalAddress: (0x30, 0x03)
        case let .setBaudRate(rate): (0x60, rate.parameter)
        }
    }

    /// The command for two command bytes, if it is one we know.
    public init?(command: UInt8, parameter: UInt8) {
        guard let match = Self.allCases.first(where: { $0.code == (command, parameter) }) else { return nil }
        self = match
    }

    /// The status the SAM answers when the command succeeds.
    public var successStatus: SAMStatus { self == .findCard ? .cardFound : .ok }

    /// The request frame.
    public var frame: SAMFrame { SAMFrame(payload: [code.command, code.parameter]) }

    public var description: String {
        switch self {
        case .resetSAM: "reset SAM"
        case .samStatus: "SAM status"
        case .readSAMID: "read SAM ID"
        case .findCard: "find card"
        case .selectCard: "select card"
        case .readTextAndPhoto: "read text and photo"
        case .readTextPhotoAndFingerprint: "read text, photo and fingerprint"
        case .readAdditionalAddress: "read additional address"
        case let .setBaudRate(rate): "set baud rate \(rate.rawValue)"
        }
    }

    public static func == (lhs: SAMCommand, rhs: SAMCommand) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) {
        hasher.combine(code.command)
        hasher.combine(code.parameter)
    }
}

/// The line speeds a SAM can be switched to.
public enum SAMBaudRate: Int, Sendable, Hashable, CaseIterable, Codable {
    case b115200 = 115200
    case b57600 = 57600
    case b38400 = 38400
    case b19200 = 19200
    case b9600 = 9600

    /// The `PARA` byte of the set-baud command.
    public var parameter: UInt8 {
        switch self {
        case .b115200: 0
        case .b57600: 1
        case .b38400: 2
        case .b19200: 3
        case .b9600: 4
        }
    }
}

/// A request as a SAM receives it: the command bytes and any data after them.
public struct SAMRequest: Sendable, Hashable {
    public var command: UInt8
    public var parameter: UInt8
    public var data: [UInt8]

    /// Reads a request out of a frame; a payload shorter than `CMD PARA` is malformed.
    public init(_ frame: SAMFrame) throws(SAMProtocolError) {
        guard frame.payload.count >= 2 else {
            throw SAMProtocolError(.malformedData, "a request needs CMD and PARA, the frame has \(frame.payload.count) bytes")
        }
        command = frame.payload[0]
        parameter = frame.payload[1]
        data = Array(frame.payload.dropFirst(2))
    }

    /// The known command these bytes name, if any.
    public var knownCommand: SAMCommand? { SAMCommand(command: command, parameter: parameter) }
}

/// A response: the three status bytes and the data.
public struct SAMResponse: Sendable, Hashable {
    /// Usually `00 00`; may carry card status with codes 0x31, 0x41, 0x47, 0x81.
    public var sw1: UInt8
    public var sw2: UInt8
    /// The status to branch on.
    public var status: SAMStatus
    public var data: [UInt8]

    /// Creates a response.
    public init(status: SAMStatus, data: [UInt8] = [], sw1: UInt8 = 0, sw2: UInt8 = 0) {
        self.sw1 = sw1
        self.sw2 = sw2
        self.status = status
        self.data = data
    }

    /// Reads a response out of a frame; a payload shorter than `SW1 SW2 SW3` is malformed.
    public init(_ frame: SAMFrame) throws(SAMProtocolError) {
        guard frame.payload.count >= 3 else {
            throw SAMProtocolError(
                .malformedData, "a response needs SW1 SW2 SW3, the frame has \(frame.payload.count) payload bytes")
        }
        sw1 = frame.payload[0]
        sw2 = frame.payload[1]
        status = SAMStatus(frame.payload[2])
        data = Array(frame.payload.dropFirst(3))
    }

    /// The response frame.
    public var frame: SAMFrame { SAMFrame(payload: [sw1, sw2, status.rawValue] + data) }
}
