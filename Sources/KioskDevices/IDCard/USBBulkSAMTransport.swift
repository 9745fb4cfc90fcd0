import CLibUSB
import KioskCore
import Synchronization

/// A reader on USB bulk endpoints through libusb, in the ministry-standard split form
/// (request header on OUT 0x02, body on OUT 0x06; reply header on IN 0x81, body on IN 0x85)
/// or with the whole frame on one OUT and one IN endpoint.
public final class USBBulkSAMTransport: SAMTransport {
    /// Which endpoints carry what.
    public struct Endpoints: Sendable, Hashable {
        /// OUT endpoint for the request's preamble and length (or the whole request).
        public var headerOut: UInt8
        /// OUT endpoint for the request's command to checksum; `nil` in the single-endpoint form.
        public var bodyOut: UInt8?
        /// IN endpoint for the reply's preamble and length (or the whole reply).
        public var headerIn: UInt8
        /// IN endpoint for the reply's status to checksum; `nil` in the single-endpoint form.
        public var bodyIn: UInt8?

        /// The ministry-standard split form.
        public static let split = Endpoints(headerOut: 0x02, bodyOut: 0x06, headerIn: 0x81, bodyIn: 0x85)

        public init(headerOut: UInt8, bodyOut: UInt8?, headerIn: UInt8, bodyIn: UInt8?) {
            self.headerOut = headerOut
            self.bodyOut = bodyOut
            self.headerIn = headerIn
            self.bodyIn = bodyIn
        }
    }

    private struct Handle: @unchecked Sendable {
        // libusb handles are used only under the transport's mutex.
        var context: OpaquePointer
        var device: OpaquePointer
        var interface: Int32
    }

    public let usbID: USBID
    public let endpoints: Endpoints
    /// The longest one libusb transfer waits before cancellation and the deadline are checked.
    public let transferTimeout: Duration
    public var name: String { "usb \(usbID)" }
    private let handle: Mutex<Handle?>

    /// Opens the first device with `usbID` and claims `interface`, detaching a kernel driver.
    public init(
        usbID: USBID, endpoints: Endpoints = .split, interface: Int32 = 0,
        transferTimeout: Duration = .milliseconds(200)
    ) throws(IDCardReaderError) {
        self.usbID = usbID
        self.endpoints = endpoints
        self.transferTimeout = transferTimeout
        var context: OpaquePointer?
        let initResult = libusb_init(&context)
        guard initResult == 0, let context else {
            throw IDCardReaderError(.notFound, "usb \(usbID): libusb cannot start (\(Self.describe(initResult))); is /dev/bus/usb there?")
        }
        guard let device = libusb_open_device_with_vid_pid(context, usbID.vendor, usbID.product) else {
            libusb_exit(context)
            throw IDCardReaderError(.notFound, "usb \(usbID): no such device, or it cannot be opened (check the udev rule)")
        }
        _ = libusb_set_auto_detach_kernel_driver(device, 1)
        let claim = libusb_claim_interface(device, interface)
        guard claim == 0 else {
            libusb_close(device)
            libusb_exit(context)
            throw Self.error(claim, "usb \(usbID): claim interface \(interface)")
        }
        handle = Mutex(Handle(context: context, device: device, interface: interface))
    }

    public func exchange(
        _ request: [UInt8], timeout: Duration, cancellation: IOCancellation
    ) throws(IDCardReaderError)
        -> SAMFrame
    {
        try handle.withLock { (handle: inout Handle?) throws(IDCardReaderError) -> SAMFrame in
            guard let current = handle else { throw IDCardReaderError(.disconnected, "\(name): closed") }
            let deadline = ContinuousClock.now + timeout
            if let bodyOut = endpoints.bodyOut {
                try transfer(current, endpoint: endpoints.headerOut, Array(request.prefix(SAMFrame.headerSize)), deadline, cancellation)
                try transfer(current, endpoint: bodyOut, Array(request.dropFirst(SAMFrame.headerSize)), deadline, cancellation)
            } else {
                try transfer(current, endpoint: endpoints.headerOut, request, deadline, cancellation)
            }
            var decoder = SAMFrameDecoder()
            var endpoint = endpoints.headerIn
            while true {
                let bytes = try receive(current, endpoint: endpoint, deadline, cancellation, timeout: timeout)
                decoder.append(bytes)
                do throws(SAMProtocolError) {
                    if let frame = try decoder.nextFrame() { return frame }
                } catch {
                    throw IDCardReaderError(.protocolError, "\(name): \(error.message)", cause: error)
                }
                // Once the header is in, the rest comes on the body endpoint (split form).
                if let bodyIn = endpoints.bodyIn, decoder.expectedFrameSize != nil { endpoint = bodyIn }
            }
        }
    }

    public func close() {
        handle.withLock { handle in
            guard let current = handle else { return }
            libusb_release_interface(current.device, current.interface)
            libusb_close(current.device)
            libusb_exit(current.context)
            handle = nil
        }
    }

    deinit { close() }

    private func transfer(
        _ handle: Handle, endpoint: UInt8, _ bytes: [UInt8], _ deadline: ContinuousClock.Instant,
        _ cancellation: IOCancellation
    ) throws(IDCardReaderError) {
        var data = bytes
        var transferred: Int32 = 0
        let milliseconds = UInt32(max(1, min(transferTimeout, ContinuousClock.now.duration(to: deadline)).wholeMilliseconds))
        let result = libusb_bulk_transfer(handle.device, endpoint, &data, Int32(data.count), &transferred, milliseconds)
        guard result == 0, transferred == Int32(bytes.count) else {
            throw Self.error(result == 0 ? LIBUSB_ERROR_IO.rawValue : result, "\(name): send on endpoint \(hexByte(endpoint))")
        }
    }

    private func receive(
        _ handle: Handle, endpoint: UInt8, _ deadline: ContinuousClock.Instant,
        _ cancellation: IOCancellation, timeout: Duration
    ) throws(IDCardReaderError) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: SAMFrame.defaultMaximumLength + SAMFrame.headerSize)
        while true {
            if cancellation.isCancelled { throw IDCardReaderError(.cancelled, "\(name): cancelled") }
            let remaining = ContinuousClock.now.duration(to: deadline)
            if remaining <= .zero {
                throw IDCardReaderError(.timeout, "\(name): no complete reply within \(timeout.wholeMilliseconds) ms")
            }
            let slice = UInt32(max(1, min(remaining, .milliseconds(50)).wholeMilliseconds))
            var transferred: Int32 = 0
            let result = libusb_bulk_transfer(handle.device, endpoint, &buffer, Int32(buffer.count), &transferred, slice)
            if transferred > 0 { return Array(buffer[0..<Int(transferred)]) }
            if result == LIBUSB_ERROR_TIMEOUT.rawValue || result == 0 { continue }
            throw Self.error(result, "\(name): receive on endpoint \(hexByte(endpoint))")
        }
    }

    private static func describe(_ code: Int32) -> String {
        guard let text = libusb_strerror(code) else { return "libusb error \(code)" }
        return String(cString: text)
    }

    private static func error(_ code: Int32, _ context: String) -> IDCardReaderError {
        let reason = describe(code)
        switch code {
        case LIBUSB_ERROR_NO_DEVICE.rawValue:
            return IDCardReaderError(.disconnected, "\(context): the device went away (\(reason))")
        case LIBUSB_ERROR_NOT_FOUND.rawValue:
            return IDCardReaderError(.notFound, "\(context): \(reason)")
        case LIBUSB_ERROR_BUSY.rawValue:
            return IDCardReaderError(.busy, "\(context): in use by another driver or process (\(reason))")
        case LIBUSB_ERROR_ACCESS.rawValue:
            return IDCardReaderError(.permissionDenied, "\(context): \(reason); check the udev rule for the reader")
        case LIBUSB_ERROR_TIMEOUT.rawValue:
            return IDCardReaderError(.timeout, "\(context): \(reason)")
        default:
            return IDCardReaderError(.io, "\(context): \(reason)")
        }
    }
}

private func hexByte(_ byte: UInt8) -> String {
    let digits = Array("0123456789ABCDEF")
    return "0x" + String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 0x0F)])
}
