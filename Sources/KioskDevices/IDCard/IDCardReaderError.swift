import KioskCore

/// Something went wrong talking to an ID card reader: it is not there, went away, did not
/// answer in time, answered nonsense, or answered with a status other than success.
///
/// Messages name devices, commands, bytes and statuses, never card contents.
public struct IDCardReaderError: Error, Sendable, CustomStringConvertible {
    /// A stable code for machines; a struct wrapping a private enum so that codes can grow
    /// without breaking `switch`es.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case notFound = "not-found"
            case disconnected
            case busy
            case permissionDenied = "permission-denied"
            case timeout
            case protocolError = "protocol-error"
            case status
            case io
            case configuration
            case cancelled
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// No reader at the configured path or USB id.
        public static let notFound = Code(.notFound)
        /// The reader went away (unplugged) while in use.
        public static let disconnected = Code(.disconnected)
        /// Another process holds the reader.
        public static let busy = Code(.busy)
        /// The kiosk's user may not open the reader (udev rule missing).
        public static let permissionDenied = Code(.permissionDenied)
        /// The reader did not answer within the command's timeout.
        public static let timeout = Code(.timeout)
        /// The reader's answer broke the frame or data rules.
        public static let protocolError = Code(.protocolError)
        /// The reader answered with a status other than the command's success.
        public static let status = Code(.status)
        /// A system call failed for another reason.
        public static let io = Code(.io)
        /// The profile or configuration is wrong.
        public static let configuration = Code(.configuration)
        /// The command was cancelled (session over, daemon stopping).
        public static let cancelled = Code(.cancelled)

        /// The code as it appears in events and logs.
        public var description: String { base.rawValue }
    }

    /// The kind of failure.
    public var code: Code
    /// What happened, for a technician.
    public var message: String
    /// The status the SAM answered, for ``Code/status``.
    public var status: SAMStatus?
    /// The underlying error (a ``SAMProtocolError``, a libusb error), if any.
    public var cause: (any Error & Sendable)?

    /// Creates an error.
    public init(_ code: Code, _ message: String, status: SAMStatus? = nil, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.status = status
        self.cause = cause
    }

    /// An answer with an unexpected status to `command`.
    public static func status(_ status: SAMStatus, to command: SAMCommand) -> IDCardReaderError {
        IDCardReaderError(.status, "\(command): status \(status)", status: status)
    }

    /// A reply that broke the protocol.
    public static func protocolError(_ error: SAMProtocolError, in command: SAMCommand) -> IDCardReaderError {
        IDCardReaderError(.protocolError, "\(command): \(error.message)", cause: error)
    }

    /// `message`.
    public var description: String { message }

    /// Whether the reader itself is gone, so the driver should give up and be restarted.
    public var meansDeviceGone: Bool { code == .disconnected || code == .notFound }

    /// The error as the device supervisor understands it: the reader is away for a while.
    public var unavailable: DeviceUnavailable {
        switch code {
        case .busy, .permissionDenied:
            DeviceUnavailable(.unusable, message, state: .offline, action: .configuration, cause: self)
        case .disconnected: DeviceUnavailable(.disconnected, message, state: .noDevice, action: .suspend, cause: self)
        default: DeviceUnavailable(.notFound, message, state: .noDevice, action: .suspend, cause: self)
        }
    }

    /// The fault to show while this error persists.
    public var fault: DeviceFault {
        if let status {
            return DeviceFault(
                code: "sam-\(status.outcome.rawValue)", message: message, action: status.outcome.recommendedAction ?? .suspend)
        }
        let action: RecommendedAction =
            switch code {
            case .busy, .permissionDenied, .configuration: .configuration
            case .timeout, .protocolError: .reset
            default: .suspend
            }
        return DeviceFault(code: "idcard-\(code)", message: message, action: action)
    }
}

extension SAMOutcome {
    /// What should be done to the reader (not the card) after this outcome; `nil` when the
    /// reader is fine (success, no card, a card the citizen must take elsewhere).
    public var recommendedAction: RecommendedAction? {
        switch self {
        case .success, .noData, .noCard, .cardNotVerifiable, .cardNotSupported: nil
        case .retryCard, .retryCommand: .suspend
        case .hostError: .configuration
        case .hardwareError: .maintenance
        case .unrecognised: .reset
        }
    }

    /// The device state that goes with this outcome.
    public var deviceState: DeviceState {
        switch self {
        case .hardwareError: .hardwareError
        default: .online
        }
    }
}
