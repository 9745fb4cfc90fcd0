import Foundation
import KioskCore

/// A card was placed on the reader (found by polling); no data yet.
public struct IDCardInserted: BusEvent, Hashable, CustomStringConvertible {
    public static let topic = "card.inserted"
    public var device: DeviceID
    public var at: Date

    public init(device: DeviceID, at: Date = Date()) {
        self.device = device
        self.at = at
    }

    public var description: String { "card inserted on \(device)" }
}

/// A card was read. It carries the card's data for the citizen's session; its description
/// names the reader and the card type only, so logging the event leaks nothing.
public struct IDCardRead: BusEvent, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public static let topic = "card.read"
    public var device: DeviceID
    public var card: IDCardData
    public var at: Date

    public init(device: DeviceID, card: IDCardData, at: Date = Date()) {
        self.device = device
        self.card = card
        self.at = at
    }

    public var description: String { "card read on \(device): \(card.type)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["device": device, "type": card.type], displayStyle: .struct) }
}

/// A card could not be read; says what the citizen should be told and why (no card data).
public struct IDCardReadFailed: BusEvent, Hashable, CustomStringConvertible {
    public static let topic = "card.read-failed"
    public var device: DeviceID
    /// The SAM's outcome when it answered with a status; `nil` for line problems (timeouts).
    public var outcome: SAMOutcome?
    /// The reader error's code (`status`, `timeout`, `protocol-error`).
    public var code: String
    /// For the technician's log.
    public var message: String
    /// For the citizen, when there is something they should do or know.
    public var citizenMessage: String?
    /// Whether the kiosk will try again by itself while the card stays on the reader.
    public var willRetry: Bool
    public var at: Date

    public init(device: DeviceID, error: IDCardReaderError, willRetry: Bool, at: Date = Date()) {
        self.device = device
        self.outcome = error.status?.outcome
        self.code = error.code.description
        self.message = error.message
        self.citizenMessage = error.status?.outcome.citizenMessage ?? (willRetry ? SAMOutcome.retryCard.citizenMessage : nil)
        self.willRetry = willRetry
        self.at = at
    }

    public var description: String { "card read failed on \(device): \(message)" }
}

/// The card was lifted off the reader: the card's part of the session is over.
public struct IDCardRemoved: BusEvent, Hashable, CustomStringConvertible {
    public static let topic = "card.removed"
    public var device: DeviceID
    public var at: Date

    public init(device: DeviceID, at: Date = Date()) {
        self.device = device
        self.at = at
    }

    public var description: String { "card removed from \(device)" }
}
