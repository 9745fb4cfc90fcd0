import Foundation
import KioskCore
import Synchronization

/// A way to carry SAM frames to a reader and back: a serial line, USB bulk endpoints, HID
/// reports, or the in-process simulator.
///
/// Calls block, so ``SAMReader`` makes them on its own dispatch queue, one at a time, never
/// on the concurrency pool. A transport checks `cancellation` at least every 50 ms.
public protocol SAMTransport: Sendable {
    /// What it is, for logs and status (`serial /dev/ttyUSB0`); no personal data.
    var name: String { get }
    /// Sends one request frame and returns the response frame.
    func exchange(
        _ request: [UInt8], timeout: Duration, cancellation: IOCancellation
    ) throws(IDCardReaderError)
        -> SAMFrame
    /// Switches the host side's line speed after the SAM accepted a set-baud command
    /// (only serial lines have one; the others ignore it).
    func setLineSpeed(_ rate: SAMBaudRate) throws(IDCardReaderError)
    /// Releases the device; later calls fail with ``IDCardReaderError/Code/disconnected``.
    func close()
}

extension SAMTransport {
    public func setLineSpeed(_ rate: SAMBaudRate) throws(IDCardReaderError) {}
}

/// Tells a blocking transport call that its task was cancelled.
public final class IOCancellation: Sendable {
    private let flag = Atomic<Bool>(false)

    public init() {}

    /// Asks the call to stop.
    public func cancel() { flag.store(true, ordering: .relaxed) }

    /// Whether the call should stop.
    public var isCancelled: Bool { flag.load(ordering: .relaxed) }
}

/// Per-command timeouts, from the profile (defaults are those seen in the field).
public struct SAMTimeouts: Sendable, Hashable {
    public var findCard: Duration = .milliseconds(200)
    public var selectCard: Duration = .milliseconds(200)
    public var read: Duration = .milliseconds(2000)
    public var readWithFingerprint: Duration = .milliseconds(3000)
    public var additionalAddress: Duration = .milliseconds(1500)
    public var samID: Duration = .milliseconds(300)
    public var samStatus: Duration = .milliseconds(2000)
    public var reset: Duration = .milliseconds(2000)
    public var setBaudRate: Duration = .milliseconds(500)

    public init() {}

    /// The timeout for `command`.
    public func timeout(for command: SAMCommand) -> Duration {
        switch command {
        case .findCard: findCard
        case .selectCard: selectCard
        case .readTextAndPhoto: read
        case .readTextPhotoAndFingerprint: readWithFingerprint
        case .readAdditionalAddress: additionalAddress
        case .readSAMID: samID
        case .samStatus: samStatus
        case .resetSAM: reset
        case .setBaudRate: setBaudRate
        }
    }

    /// Every timeout multiplied by `factor` (slow simulators, debugging).
    public func scaled(by factor: Double) -> SAMTimeouts {
        var copy = self
        for keyPath in [
            \SAMTimeouts.findCard, \.selectCard, \.read, \.readWithFingerprint, \.additionalAddress, \.samID, \.samStatus,
            \.reset, \.setBaudRate,
        ] {
            copy[keyPath: keyPath] = copy[keyPath: keyPath] * factor
        }
        return copy
    }
}

extension Duration {
    /// Whole milliseconds, rounded up.
    var wholeMilliseconds: Int {
        let (seconds, attoseconds) = components
        return Int(seconds) * 1000 + Int((attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000)
    }
}
