import KioskCore

/// The four real-time status requests, `DLE EOT n` (`10 04 n`).
public enum ESCPOSStatusRequest: UInt8, Sendable, CaseIterable {
    /// n=1: printer status.
    case printer = 1
    /// n=2: offline cause.
    case offlineCause = 2
    /// n=3: error cause.
    case errorCause = 3
    /// n=4: roll paper sensor.
    case paperSensor = 4

    /// The request's bytes.
    public var bytes: [UInt8] { [0x10, 0x04, rawValue] }
}

/// The printer's answers to the four `DLE EOT` requests, decoded bit by bit.
///
/// Every answer byte has bits 0 and 7 clear and bits 1 and 4 set; a byte without that pattern
/// is not a status answer (noise, or data from another command) and is rejected.
public struct ESCPOSStatus: Sendable, Hashable, Codable {
    // n=1, printer status
    /// Bit 2: the cash drawer kick-out connector's pin 3 is high.
    public var drawerPinHigh = false
    /// Bit 3: the printer is offline.
    public var offline = false
    /// Bit 5: waiting for online recovery.
    public var waitingForRecovery = false
    /// Bit 6: the paper feed button is pressed.
    public var feedButtonPressed = false

    // n=2, offline cause
    /// Bit 2: the cover is open.
    public var coverOpen = false
    /// Bit 3: paper is being fed by the feed button.
    public var feedingByButton = false
    /// Bit 5: printing stopped because the paper ran out.
    public var stoppedByPaperEnd = false
    /// Bit 6: an error occurred.
    public var errorOccurred = false

    // n=3, error cause
    /// Bit 2: mechanical error (carriage, head).
    public var mechanicalError = false
    /// Bit 3: the autocutter failed (usually a paper jam at the blade).
    public var autocutterError = false
    /// Bit 5: an unrecoverable error.
    public var unrecoverableError = false
    /// Bit 6: an error that clears by itself (head too hot).
    public var autoRecoverableError = false

    // n=4, roll paper sensor
    /// Bits 2–3: the roll is near its end.
    public var paperNearEnd = false
    /// Bits 5–6: the roll is out.
    public var paperOut = false

    public init() {}

    /// Whether `byte` has the fixed bits of a status answer.
    public static func isValidAnswer(_ byte: UInt8) -> Bool { byte & 0b1001_0011 == 0b0001_0010 }

    /// Records the answer `byte` to `request`; throws if it is not a status byte.
    public mutating func decode(_ byte: UInt8, for request: ESCPOSStatusRequest) throws(ESCPOSError) {
        guard Self.isValidAnswer(byte) else {
            throw ESCPOSError(
                .invalidStatus, "0x\(String(byte, radix: 16)) is not an answer to DLE EOT \(request.rawValue)")
        }
        func bit(_ index: UInt8) -> Bool { byte & (1 << index) != 0 }
        switch request {
        case .printer:
            drawerPinHigh = bit(2)
            offline = bit(3)
            waitingForRecovery = bit(5)
            feedButtonPressed = bit(6)
        case .offlineCause:
            coverOpen = bit(2)
            feedingByButton = bit(3)
            stoppedByPaperEnd = bit(5)
            errorOccurred = bit(6)
        case .errorCause:
            mechanicalError = bit(2)
            autocutterError = bit(3)
            unrecoverableError = bit(5)
            autoRecoverableError = bit(6)
        case .paperSensor:
            paperNearEnd = bit(2) || bit(3)
            paperOut = bit(5) || bit(6)
        }
    }

    /// The answer byte a printer in this status sends to `request` (the simulator's side).
    public func answer(to request: ESCPOSStatusRequest) -> UInt8 {
        var byte: UInt8 = 0b0001_0010
        func set(_ index: UInt8, _ on: Bool) { if on { byte |= 1 << index } }
        switch request {
        case .printer:
            set(2, drawerPinHigh)
            set(3, offline)
            set(5, waitingForRecovery)
            set(6, feedButtonPressed)
        case .offlineCause:
            set(2, coverOpen)
            set(3, feedingByButton)
            set(5, stoppedByPaperEnd)
            set(6, errorOccurred)
        case .errorCause:
            set(2, mechanicalError)
            set(3, autocutterError)
            set(5, unrecoverableError)
            set(6, autoRecoverableError)
        case .paperSensor:
            set(2, paperNearEnd)
            set(3, paperNearEnd)
            set(5, paperOut)
            set(6, paperOut)
        }
        return byte
    }

    /// The device state and fault this status means, with the recommended action.
    public var device: (state: DeviceState, fault: DeviceFault?) {
        if paperOut || stoppedByPaperEnd {
            return (.userError, DeviceFault(code: "media-empty", message: "paper out: load a new roll", action: .clear))
        }
        if coverOpen {
            return (.userError, DeviceFault(code: "cover-open", message: "cover open: close the printer cover", action: .clear))
        }
        if autocutterError {
            return (
                .userError,
                DeviceFault(code: "cutter-error", message: "the cutter is blocked: open the cover and clear the paper", action: .clear)
            )
        }
        if unrecoverableError {
            return (
                .hardwareError,
                DeviceFault(code: "unrecoverable-error", message: "the printer reports an unrecoverable error", action: .maintenance)
            )
        }
        if mechanicalError {
            return (.hardwareError, DeviceFault(code: "mechanical-error", message: "the print mechanism failed", action: .reset))
        }
        if autoRecoverableError {
            return (.offline, DeviceFault(code: "head-overheat", message: "the print head is cooling down", action: .suspend))
        }
        if offline || errorOccurred {
            return (.offline, DeviceFault(code: "offline", message: "the printer is offline", action: .suspend))
        }
        if paperNearEnd {
            return (.online, DeviceFault(code: "media-low", message: "paper roll near its end: replace it soon", action: .clear))
        }
        return (.online, nil)
    }
}
