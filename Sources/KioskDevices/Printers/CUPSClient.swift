import CCups
import Foundation
import Synchronization

/// Where cupsd listens: a host and port, or a domain socket path (port ignored).
public struct CUPSServer: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int = 631) {
        self.host = host
        self.port = port
    }

    /// Parses `host`, `host:port` or `/path/to/cups.sock`, as in `CUPS_SERVER`.
    public init?(_ text: String) {
        guard !text.isEmpty else { return nil }
        if text.hasPrefix("/") {
            self.init(host: text, port: 0)
            return
        }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count <= 2, !parts[0].isEmpty else { return nil }
        var port = 631
        if parts.count == 2 {
            guard let parsed = Int(parts[1]), (1...65535).contains(parsed) else { return nil }
            port = parsed
        }
        self.init(host: String(parts[0]), port: port)
    }

    /// `CUPS_SERVER` when set, else the system's cupsd (as `lp` would use it).
    public static func fromEnvironment() -> CUPSServer {
        if let value = ProcessInfo.processInfo.environment["CUPS_SERVER"], let server = CUPSServer(value) {
            return server
        }
        let host = String(cString: cupsServer())
        return CUPSServer(host: host, port: Int(ippPort()))
    }

    public var description: String { host.hasPrefix("/") ? host : "\(host):\(port)" }
}

/// A CUPS queue as `lpstat -p` would list it.
public struct PrinterDestination: Sendable, Hashable, Codable {
    public var name: String
    public var isDefault: Bool
    /// `printer-info`, the queue's description.
    public var info: String?
    public var makeAndModel: String?
    public var deviceURI: String?
    public var condition: PrinterCondition?
}

/// The attributes of one queue the kiosk watches.
public struct PrinterAttributes: Sendable, Hashable, Codable {
    public var name: String
    public var condition: PrinterCondition
    public var makeAndModel: String?
    /// `printer-error-policy` (CUPS): `retry-job` on kiosks, never `stop-printer`.
    public var errorPolicy: String?
    public var queuedJobs: Int?
}

/// IPP `job-state` (RFC 8011 §5.3.7).
public enum IPPJobState: Int, Sendable, Codable, CustomStringConvertible {
    case pending = 3
    case held = 4
    case processing = 5
    case stopped = 6
    case canceled = 7
    case aborted = 8
    case completed = 9

    /// Whether the job has ended, well or not.
    public var isTerminal: Bool { rawValue >= 7 }

    public var description: String {
        switch self {
        case .pending: "pending"
        case .held: "held"
        case .processing: "processing"
        case .stopped: "stopped"
        case .canceled: "canceled"
        case .aborted: "aborted"
        case .completed: "completed"
        }
    }
}

/// A CUPS job id.
public struct CUPSJobID: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    public var rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }
    public var description: String { String(rawValue) }
}

/// Where a job is.
public struct CUPSJobStatus: Sendable, Hashable, Codable {
    public var id: CUPSJobID
    public var state: IPPJobState
    /// `job-state-reasons` keywords, e.g. `job-printing`, `printer-stopped`, `job-completed-successfully`.
    public var reasons: [String]
    public var impressionsCompleted: Int?
    /// `job-name`: the title the job was submitted with.
    public var name: String? = nil
}

/// What `follow` reports while a job waits or prints.
public struct CUPSJobProgress: Sendable, Hashable {
    public var job: CUPSJobStatus
    /// The queue's condition at the same moment (paper out while the job waits, say).
    public var printer: PrinterCondition?
}

/// Why a CUPS request failed.
public struct CUPSError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure; a struct wrapping a private enum so that codes can grow without
    /// breaking `switch`es.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case serverUnreachable, queueNotFound, jobNotFound, notAccepting, notAuthorized, invalidArgument, requestFailed
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// cupsd does not answer.
        public static let serverUnreachable = Code(.serverUnreachable)
        /// No queue of that name.
        public static let queueNotFound = Code(.queueNotFound)
        /// No job of that id.
        public static let jobNotFound = Code(.jobNotFound)
        /// The queue rejects jobs.
        public static let notAccepting = Code(.notAccepting)
        /// cupsd refused the operation for this user.
        public static let notAuthorized = Code(.notAuthorized)
        /// A name or document the kiosk passed is unusable.
        public static let invalidArgument = Code(.invalidArgument)
        /// Any other IPP or HTTP failure.
        public static let requestFailed = Code(.requestFailed)

        /// The code as it appears in logs and print job reasons.
        public var description: String { base.rawValue }
    }

    /// The kind of failure.
    public var code: Code
    /// What happened, in words a technician can act on (with cupsd's own message).
    public var message: String
    /// The IPP status code, when cupsd answered (`0x0406` not found, ...).
    public var ippStatus: Int?
    /// The underlying cause, for logs.
    public var cause: (any Error & Sendable)?

    /// Creates an error.
    public init(_ code: Code, _ message: String, ippStatus: Int? = nil, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.ippStatus = ippStatus
        self.cause = cause
    }

    /// `code: message (IPP status 0x…)`.
    public var description: String {
        "\(code): \(message)" + (ippStatus.map { " (IPP status 0x\(String($0, radix: 16)))" } ?? "")
    }
}

/// A client of one cupsd through libcups.
///
/// libcups calls block, so they run one at a time on the client's own ``BlockingCallQueue``,
/// never on the concurrency pool's threads; the connection is kept open between requests and
/// reopened after a failure.
public final class CUPSClient: Sendable {
    /// The server this client talks to.
    public let server: CUPSServer
    private let timeout: Double
    private let calls = BlockingCallQueue(label: "kiosk.cups")
    // The mutex guards the http_t connection; libcups connections are not thread-safe.
    private let connection = Mutex<Connection>(Connection())

    private final class Connection {
        var http: OpaquePointer?
        /// Destinations and their capabilities, looked up once per queue: fetching them for
        /// every job would cost two more round trips to cupsd.
        var destinations: [String: Destination] = [:]

        func forget() {
            for destination in destinations.values {
                cupsFreeDestInfo(destination.info)
                cupsFreeDests(1, destination.dest)
            }
            destinations = [:]
        }

        deinit {
            forget()
            if let http { httpClose(http) }
        }
    }

    private struct Destination {
        let dest: UnsafeMutablePointer<cups_dest_t>
        let info: OpaquePointer
    }

    /// A client of `server` with `timeout` seconds per request.
    public init(server: CUPSServer = .fromEnvironment(), timeout: Duration = .seconds(10)) {
        self.server = server
        let parts = timeout.components
        self.timeout = Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }

    // MARK: Destinations and printer state

    /// Every queue of the server (`cupsGetDests2`).
    public func destinations() async throws(CUPSError) -> [PrinterDestination] {
        try await perform { http throws(CUPSError) in
            var dests: UnsafeMutablePointer<cups_dest_t>?
            let count = Int(cupsGetDests2(http, &dests))
            defer { cupsFreeDests(Int32(count), dests) }
            if count == 0, cupsLastError().rawValue >= 0x0400, cupsLastError() != IPP_STATUS_ERROR_NOT_FOUND {
                throw Self.lastError("listing printers")
            }
            guard let dests else { return [] }
            return (0..<count).map { index in
                let dest = dests[index]
                func option(_ name: String) -> String? {
                    cupsGetOption(name, dest.num_options, dest.options).map { String(cString: $0) }
                }
                let condition = option("printer-state").flatMap { Int($0) }.flatMap(IPPPrinterState.init(rawValue:)).map {
                    PrinterCondition(
                        state: $0,
                        reasons: option("printer-state-reasons")?.split(separator: ",").map(String.init) ?? [],
                        acceptingJobs: option("printer-is-accepting-jobs") != "false")
                }
                return PrinterDestination(
                    name: String(cString: dest.name), isDefault: dest.is_default != 0, info: option("printer-info"),
                    makeAndModel: option("printer-make-and-model"), deviceURI: option("device-uri"), condition: condition)
            }
        }
    }

    /// The state, reasons and policy of queue `name` (IPP Get-Printer-Attributes).
    public func printer(_ name: String) async throws(CUPSError) -> PrinterAttributes {
        let uri = try Self.printerURI(name)
        return try await perform { http throws(CUPSError) in
            let request = ippNewRequest(IPP_OP_GET_PRINTER_ATTRIBUTES)
            ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", nil, uri)
            Self.addRequested(
                request,
                [
                    "printer-state", "printer-state-reasons", "printer-is-accepting-jobs", "printer-make-and-model",
                    "printer-error-policy", "queued-job-count",
                ])
            let response = try Self.send(request, http, "/", what: "reading printer '\(name)'", notFound: .queueNotFound)
            defer { ippDelete(response) }
            let state = Self.integer(response, "printer-state").flatMap(IPPPrinterState.init(rawValue:)) ?? .stopped
            let accepting = ippFindAttribute(response, "printer-is-accepting-jobs", IPP_TAG_BOOLEAN).map { ippGetBoolean($0, 0) != 0 }
            return PrinterAttributes(
                name: name,
                condition: PrinterCondition(
                    state: state, reasons: Self.strings(response, "printer-state-reasons"), acceptingJobs: accepting ?? true),
                makeAndModel: Self.strings(response, "printer-make-and-model").first,
                errorPolicy: Self.strings(response, "printer-error-policy").first,
                queuedJobs: Self.integer(response, "queued-job-count"))
        }
    }

    // MARK: Jobs

    /// Submits a document with the streaming destination API (`cupsCreateDestJob`,
    /// `cupsStartDestDocument`, `cupsWriteRequestData`, `cupsFinishDestDocument`), so nothing
    /// is written to disk first; the queue's destination and capabilities are looked up once.
    ///
    /// - Parameters:
    ///   - options: IPP job attributes, e.g. `["media": "iso_a4_210x297mm"]`.
    public func submit(
        _ document: Data, to name: String, title: String, format: String = "application/pdf",
        options: [String: String] = [:]
    ) async throws(CUPSError) -> CUPSJobID {
        _ = try Self.printerURI(name)
        guard !document.isEmpty else { throw CUPSError(.invalidArgument, "the document is empty") }
        return try await performWithConnection { connection, http throws(CUPSError) in
            var count: Int32 = 0
            var cupsOptions: UnsafeMutablePointer<cups_option_t>?
            for (key, value) in options.sorted(by: { $0.key < $1.key }) {
                count = cupsAddOption(key, value, count, &cupsOptions)
            }
            defer { cupsFreeOptions(count, cupsOptions) }
            let destination = try Self.destination(name, connection: connection, http: http)
            var id: Int32 = 0
            let created = cupsCreateDestJob(http, destination.dest, destination.info, &id, title, count, cupsOptions)
            guard created.rawValue < 0x0100, id > 0 else {
                // The queue may have been deleted or changed: look it up afresh next time.
                connection.forget()
                throw Self.lastError("creating a job on '\(name)'", notFound: .queueNotFound)
            }
            let started = cupsStartDestDocument(
                http, destination.dest, destination.info, id, title, format, 0, nil, 1)
            guard started == HTTP_STATUS_CONTINUE else {
                throw Self.lastError("starting the document of job \(id)")
            }
            let written = document.withUnsafeBytes { buffer -> http_status_t in
                let chunk = 64 * 1024
                var offset = 0
                var status = HTTP_STATUS_CONTINUE
                while offset < buffer.count, status == HTTP_STATUS_CONTINUE {
                    let length = min(chunk, buffer.count - offset)
                    let base = buffer.baseAddress?.advanced(by: offset).assumingMemoryBound(to: CChar.self)
                    status = cupsWriteRequestData(http, base, length)
                    offset += length
                }
                return status
            }
            guard written == HTTP_STATUS_CONTINUE else {
                _ = cupsFinishDestDocument(http, destination.dest, destination.info)
                throw CUPSError(.requestFailed, "sending job \(id)'s document to cupsd failed (HTTP \(written.rawValue))")
            }
            let finished = cupsFinishDestDocument(http, destination.dest, destination.info)
            guard finished.rawValue < 0x0100 else { throw Self.lastError("finishing job \(id)") }
            return CUPSJobID(rawValue: Int(id))
        }
    }

    private static func destination(
        _ name: String, connection: Connection, http: OpaquePointer
    ) throws(CUPSError) -> Destination {
        if let cached = connection.destinations[name] { return cached }
        guard let dest = cupsGetNamedDest(http, name, nil) else {
            let error = lastError("looking up queue '\(name)'", notFound: .queueNotFound)
            if error.code == .serverUnreachable { throw error }
            throw CUPSError(.queueNotFound, "no CUPS queue '\(name)'", ippStatus: error.ippStatus)
        }
        guard let info = cupsCopyDestInfo(http, dest) else {
            cupsFreeDests(1, dest)
            throw lastError("reading the capabilities of '\(name)'", notFound: .queueNotFound)
        }
        let destination = Destination(dest: dest, info: info)
        connection.destinations[name] = destination
        return destination
    }

    /// Where job `id` is (IPP Get-Job-Attributes).
    public func job(_ id: CUPSJobID) async throws(CUPSError) -> CUPSJobStatus {
        try await perform { http throws(CUPSError) in
            let request = ippNewRequest(IPP_OP_GET_JOB_ATTRIBUTES)
            ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_URI, "job-uri", nil, "ipp://localhost/jobs/\(id.rawValue)")
            ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_NAME, "requesting-user-name", nil, cupsUser())
            Self.addRequested(request, ["job-state", "job-state-reasons", "job-impressions-completed", "job-name"])
            let response = try Self.send(request, http, "/", what: "reading job \(id)", notFound: .jobNotFound)
            defer { ippDelete(response) }
            guard let state = Self.integer(response, "job-state").flatMap(IPPJobState.init(rawValue:)) else {
                throw CUPSError(.requestFailed, "cupsd did not say the state of job \(id)")
            }
            return CUPSJobStatus(
                id: id, state: state, reasons: Self.strings(response, "job-state-reasons"),
                impressionsCompleted: Self.integer(response, "job-impressions-completed"), name: Self.strings(response, "job-name").first)
        }
    }

    /// Cancels job `id` (IPP Cancel-Job); cancelling an ended job is not an error.
    public func cancel(_ id: CUPSJobID) async throws(CUPSError) {
        try await perform { http throws(CUPSError) in
            let request = ippNewRequest(IPP_OP_CANCEL_JOB)
            ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_URI, "job-uri", nil, "ipp://localhost/jobs/\(id.rawValue)")
            ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_NAME, "requesting-user-name", nil, cupsUser())
            ippDelete(cupsDoRequest(http, request, "/jobs/"))
            let status = cupsLastError()
            // 0x0407 not-possible: the job already ended.
            if status.rawValue >= 0x0400, status != IPP_STATUS_ERROR_NOT_POSSIBLE {
                throw Self.lastError("cancelling job \(id)", notFound: .jobNotFound)
            }
        }
    }

    /// Follows job `id` until it is completed, aborted or canceled, calling `onChange` each
    /// time the job's or its queue's state changes (so a kiosk sees paper out while a job waits).
    public func follow(
        _ id: CUPSJobID, queue name: String? = nil, interval: Duration = .milliseconds(250),
        onChange: (CUPSJobProgress) async -> Void = { _ in }
    ) async throws -> CUPSJobStatus {
        var last: CUPSJobProgress?
        while true {
            let status = try await job(id)
            var printer: PrinterCondition?
            if let name { printer = try await self.printer(name).condition }
            let progress = CUPSJobProgress(job: status, printer: printer)
            if progress != last {
                await onChange(progress)
                last = progress
            }
            if status.state.isTerminal { return status }
            try await Task.sleep(for: interval)
        }
    }

    // MARK: Plumbing

    /// Runs `body` with the open connection on the client's queue.
    private func perform<T: Sendable>(_ body: @escaping @Sendable (OpaquePointer) throws(CUPSError) -> T) async throws(CUPSError) -> T {
        try await performWithConnection { _, http throws(CUPSError) in try body(http) }
    }

    /// Runs `body` with the connection (opened first if need be) on the client's queue.
    private func performWithConnection<T: Sendable>(
        _ body: @escaping @Sendable (Connection, OpaquePointer) throws(CUPSError) -> T
    ) async throws(CUPSError) -> T {
        try await calls.run { [self] () throws(CUPSError) -> T in
            try connection.withLock { connection throws(CUPSError) -> T in
                if connection.http == nil {
                    connection.http = httpConnect2(
                        server.host, Int32(server.port), nil, AF_UNSPEC, HTTP_ENCRYPTION_IF_REQUESTED, 1, 5000, nil)
                    if let http = connection.http { httpSetTimeout(http, timeout, nil, nil) }
                }
                guard let http = connection.http else {
                    throw CUPSError(.serverUnreachable, "cupsd at \(server) does not answer")
                }
                do throws(CUPSError) {
                    return try body(connection, http)
                } catch {
                    if error.code == .serverUnreachable || error.code == .requestFailed {
                        // Start afresh next time: the connection may be half-closed.
                        connection.forget()
                        httpClose(http)
                        connection.http = nil
                    }
                    throw error
                }
            }
        }
    }

    static func printerURI(_ name: String) throws(CUPSError) -> String {
        let allowed = name.unicodeScalars.allSatisfy { $0.isASCII && $0.value > 0x20 && !"/#\\'\"?%".unicodeScalars.contains($0) }
        guard !name.isEmpty, name.count <= 127, allowed else {
            throw CUPSError(.invalidArgument, "'\(name)' is not a CUPS queue name")
        }
        return "ipp://localhost/printers/\(name)"
    }

    private static func send(
        _ request: OpaquePointer?, _ http: OpaquePointer, _ resource: String, what: String, notFound: CUPSError.Code
    ) throws(CUPSError) -> OpaquePointer {
        let response = cupsDoRequest(http, request, resource)
        let status = cupsLastError()
        guard let response, status.rawValue < 0x0400 else {
            if let response { ippDelete(response) }
            throw lastError(what, notFound: notFound)
        }
        return response
    }

    private static func lastError(_ what: String, notFound: CUPSError.Code = .requestFailed) -> CUPSError {
        let status = cupsLastError()
        // cupsLastErrorString is the server's message, possibly localised: only shown, never parsed.
        let text = cupsLastErrorString().map { String(cString: $0) } ?? ""
        let code: CUPSError.Code =
            switch status {
            case IPP_STATUS_ERROR_NOT_FOUND: notFound
            case IPP_STATUS_ERROR_NOT_ACCEPTING_JOBS: .notAccepting
            case IPP_STATUS_ERROR_NOT_AUTHORIZED, IPP_STATUS_ERROR_FORBIDDEN: .notAuthorized
            case IPP_STATUS_ERROR_SERVICE_UNAVAILABLE: .serverUnreachable
            default: .requestFailed
            }
        return CUPSError(code, "\(what) failed: \(text)", ippStatus: Int(status.rawValue))
    }

    private static func addRequested(_ request: OpaquePointer?, _ names: [String]) {
        let strings = names.map { strdup($0) }
        defer { strings.forEach { free($0) } }
        let pointers: [UnsafePointer<CChar>?] = strings.map { $0.map { UnsafePointer($0) } }
        pointers.withUnsafeBufferPointer { buffer in
            _ = ippAddStrings(
                request, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes", Int32(names.count), nil,
                buffer.baseAddress)
        }
    }

    private static func integer(_ response: OpaquePointer, _ name: String) -> Int? {
        guard let attribute = ippFindAttribute(response, name, IPP_TAG_ZERO) else { return nil }
        return Int(ippGetInteger(attribute, 0))
    }

    private static func strings(_ response: OpaquePointer, _ name: String) -> [String] {
        guard let attribute = ippFindAttribute(response, name, IPP_TAG_ZERO) else { return [] }
        return (0..<ippGetCount(attribute)).compactMap { ippGetString(attribute, $0, nil).map { String(cString: $0) } }
    }
}
