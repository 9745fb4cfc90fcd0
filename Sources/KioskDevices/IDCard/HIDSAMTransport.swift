import Glibc
import KioskCore
import Synchronization

/// A reader that speaks HID (e.g. `0425:8159` "HIDIDR") through the kernel's hidraw device:
/// frames are cut into fixed-size reports, written with a report-ID byte first and read
/// back one report per `read(2)`.
public final class HIDSAMTransport: SAMTransport {
    private struct Device {
        var fd: Int32
        var reassembler: SAMHIDReassembler
    }

    public let path: String
    public let format: SAMHIDReportFormat
    /// The report ID written before each report (0 when the device has none).
    public let reportID: UInt8
    public var name: String { "hid \(path)" }
    // Guards the descriptor and the partial frame; the reader's queue is the only caller in practice.
    private let device: Mutex<Device?>

    /// Opens a hidraw device (or, in tests, a packet socket) at `path`.
    public convenience init(path: String, format: SAMHIDReportFormat, reportID: UInt8 = 0) throws(IDCardReaderError) {
        let fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw DescriptorIO.error(errno, "hid \(path): open") }
        self.init(descriptor: fd, path: path, format: format, reportID: reportID)
    }

    /// Uses an open descriptor that delivers one report per read; takes ownership.
    public init(descriptor: Int32, path: String, format: SAMHIDReportFormat, reportID: UInt8 = 0) {
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
        self.path = path
        self.format = format
        self.reportID = reportID
        self.device = Mutex(Device(fd: descriptor, reassembler: SAMHIDReassembler(format: format)))
    }

    public func exchange(
        _ request: [UInt8], timeout: Duration, cancellation: IOCancellation
    ) throws(IDCardReaderError)
        -> SAMFrame
    {
        try device.withLock { (device: inout Device?) throws(IDCardReaderError) -> SAMFrame in
            guard var current = device else { throw IDCardReaderError(.disconnected, "\(name): closed") }
            defer { device = current }
            let deadline = ContinuousClock.now + timeout
            current.reassembler.reset()
            for report in format.reports(for: request) {
                try DescriptorIO.writeAll(current.fd, [reportID] + report, until: deadline, cancellation: cancellation, what: name)
            }
            var buffer = [UInt8](repeating: 0, count: max(format.reportSize + 1, 512))
            while true {
                switch try DescriptorIO.waitReadable(current.fd, until: deadline, cancellation: cancellation, what: name) {
                case .timedOut:
                    throw IDCardReaderError(.timeout, "\(name): no complete reply within \(timeout.wholeMilliseconds) ms")
                case .hangUp:
                    throw IDCardReaderError(.disconnected, "\(name): the device went away (reader unplugged?)")
                case .readable:
                    let fd = current.fd
                    let count = try buffer.withUnsafeMutableBytes { raw in
                        Result { () throws(IDCardReaderError) in try DescriptorIO.readAvailable(fd, into: raw, what: name) }
                    }.get()
                    guard let count else { continue }
                    if count == 0 { throw IDCardReaderError(.disconnected, "\(name): the device went away (reader unplugged?)") }
                    do throws(SAMProtocolError) {
                        // Numbered reports arrive with their ID first; unnumbered ones without.
                        let start = reportID != 0 && buffer[0] == reportID ? 1 : 0
                        if let frame = try current.reassembler.append(report: Array(buffer[start..<count])) { return frame }
                    } catch {
                        throw IDCardReaderError(.protocolError, "\(name): \(error.message)", cause: error)
                    }
                }
            }
        }
    }

    public func close() {
        device.withLock { device in
            if let fd = device?.fd { Glibc.close(fd) }
            device = nil
        }
    }

    deinit { close() }
}
