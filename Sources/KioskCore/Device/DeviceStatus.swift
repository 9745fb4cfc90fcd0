import Foundation

/// A configured device's name on this kiosk, chosen in the configuration (`idcard`, `printer.a4`).
public struct DeviceID: RawRepresentable, Hashable, Comparable, Sendable, Codable, ExpressibleByStringLiteral,
    CustomStringConvertible
{
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
    public init(from decoder: any Decoder) throws { rawValue = try decoder.singleValueContainer().decode(String.self) }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
    public var description: String { rawValue }
    public static func < (lhs: DeviceID, rhs: DeviceID) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// What kind of device a kiosk has; decides which drivers and simulators can serve it.
public enum DeviceKind: String, Sendable, Codable, CaseIterable, CustomStringConvertible {
    /// A resident ID card reader speaking the SAM protocol.
    case idCardReader = "idcard"
    /// An A4 printer behind CUPS.
    case printer
    /// An ESC/POS receipt printer.
    case receiptPrinter = "receipt-printer"
    /// The touch screen's input panel (evdev).
    case touchScreen = "touch"

    public var description: String { rawValue }
}

/// One state for every device, after CEN XFS4IoT `Common.Status.device`.
public enum DeviceState: String, Sendable, Codable, CaseIterable {
    /// Working and available.
    case online
    /// Known but not answering (cable, power); the driver keeps trying.
    case offline
    /// Not present: unplugged, or never found.
    case noDevice
    /// Present but broken; see the fault for the recommended action.
    case hardwareError
    /// Stopped by something a person must do (paper out, cover open, card stuck).
    case userError
    /// Working on a command (reading a card, printing).
    case busy
    /// Being opened or initialised.
    case starting

    /// Whether a citizen can be served by a device in this state.
    public var isUsable: Bool { self == .online || self == .busy }
}

/// What should happen to make a faulty device work again (XFS4IoT recommended actions).
public enum RecommendedAction: String, Sendable, Codable, CaseIterable {
    /// Resetting the device is expected to clear the fault.
    case reset
    /// Someone must act on the device: refill paper, close the cover, remove a stuck card.
    case clear
    /// A technician must repair or replace it.
    case maintenance
    /// Nothing to do: it is expected to recover by itself (warming up, reconnecting).
    case suspend
    /// The configuration or profile is wrong and must be corrected.
    case configuration
}

/// A fault on a device: a stable code for machines, words for technicians, and what to do.
public struct DeviceFault: Sendable, Hashable, Codable, CustomStringConvertible {
    /// A stable code, e.g. `media-empty`, `sam-failure`, `usb-disconnected`.
    public var code: String
    /// What happened, in words a technician can act on (never personal data).
    public var message: String
    /// What should be done about it.
    public var action: RecommendedAction

    public init(code: String, message: String, action: RecommendedAction) {
        self.code = code
        self.message = message
        self.action = action
    }

    public var description: String { "\(code): \(message) (action: \(action.rawValue))" }
}

/// Who the device says it is.
public struct DeviceIdentity: Sendable, Hashable, Codable {
    public var model: String?
    public var serial: String?
    public var firmware: String?
    /// The USB vendor and product as `vvvv:pppp`, when the device is on USB.
    public var usbID: String?

    public init(model: String? = nil, serial: String? = nil, firmware: String? = nil, usbID: String? = nil) {
        self.model = model
        self.serial = serial
        self.firmware = firmware
        self.usbID = usbID
    }
}

/// A named persistent counter (UnifiedPOS statistics); names are open so each device kind
/// can add its own, but the common ones have constants.
public struct DeviceCounter: RawRepresentable, Hashable, Sendable, Codable, ExpressibleByStringLiteral,
    CodingKeyRepresentable
{
    public var rawValue: String
    public var codingKey: any CodingKey { Key(stringValue: rawValue) }
    public init?<T: CodingKey>(codingKey: T) { self.rawValue = codingKey.stringValue }
    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
    public init(from decoder: any Decoder) throws { rawValue = try decoder.singleValueContainer().decode(String.self) }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public static let goodReads: DeviceCounter = "good_reads"
    public static let failedReads: DeviceCounter = "failed_reads"
    public static let pagesPrinted: DeviceCounter = "pages_printed"
    public static let paperOuts: DeviceCounter = "paper_outs"
    public static let paperCuts: DeviceCounter = "paper_cuts"
    public static let coverOpens: DeviceCounter = "cover_opens"
    public static let communicationErrors: DeviceCounter = "communication_errors"
    public static let disconnects: DeviceCounter = "disconnects"
    public static let touches: DeviceCounter = "touches"
}

/// Everything the kiosk knows about one device right now.
public struct DeviceStatus: Sendable, Hashable, Codable, Identifiable {
    public var id: DeviceID
    public var kind: DeviceKind
    public var state: DeviceState
    public var identity: DeviceIdentity
    /// What the device can do, e.g. `photo`, `fingerprint`, `duplex`, `cutter`, `multitouch`.
    public var capabilities: Set<String>
    /// The current fault, if any; cleared when the device recovers.
    public var fault: DeviceFault?
    /// Persistent counters, kept across restarts by the store.
    public var counters: [DeviceCounter: Int64]
    /// Whether this device is simulated (never true on a production kiosk's real devices).
    public var simulated: Bool
    /// When `state` last changed.
    public var since: Date

    public init(
        id: DeviceID, kind: DeviceKind, state: DeviceState = .starting, identity: DeviceIdentity = .init(),
        capabilities: Set<String> = [], fault: DeviceFault? = nil, counters: [DeviceCounter: Int64] = [:],
        simulated: Bool = false, since: Date = Date()
    ) {
        self.id = id
        self.kind = kind
        self.state = state
        self.identity = identity
        self.capabilities = capabilities
        self.fault = fault
        self.counters = counters
        self.simulated = simulated
        self.since = since
    }

    public subscript(counter: DeviceCounter) -> Int64 { counters[counter] ?? 0 }
}
