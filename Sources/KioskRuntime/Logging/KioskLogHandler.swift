import Foundation
import KioskCore
import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Log lines for the journal: one line per message, a syslog priority prefix (`<6>`) that
/// journald turns into the entry's priority, the message, then `key=value` metadata.
///
/// Every line passes through a ``Redactor`` first: personal keys are masked, ID-number- and
/// phone-shaped values are masked, and so are the values of any open citizen session.
public struct KioskLogHandler: LogHandler {
    /// Where finished lines go (stderr in the daemon, a buffer in tests).
    public typealias Sink = @Sendable (String) -> Void

    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    private let label: String
    private let redactor: Redactor
    private let sink: Sink
    private let withTimestamp: Bool

    /// A handler writing to `sink`; `withTimestamp` adds a UTC time (off under journald,
    /// which stamps entries itself).
    public init(label: String, level: Logger.Level, redactor: Redactor, withTimestamp: Bool, sink: @escaping Sink) {
        self.label = label
        self.logLevel = level
        self.redactor = redactor
        self.withTimestamp = withTimestamp
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var line = "<\(Self.priority(event.level))>"
        if withTimestamp { line += Self.timestamp() + " " }
        line += "\(event.level) [\(label)] "
        line += redactor.scrub("\(event.message)")
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        for key in merged.keys.sorted() {
            guard let value = merged[key] else { continue }
            let text = redactor.isPersonalKey(key) ? Redactor.mask : redactor.scrub(Self.flatten(value))
            line += " \(key)=\(Self.quoted(text))"
        }
        sink(line)
    }

    /// syslog priorities, as journald reads them from a `<N>` prefix.
    static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    static func flatten(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case let .string(string): string
        case let .stringConvertible(convertible): convertible.description
        case let .array(values): "[" + values.map(flatten).joined(separator: ",") + "]"
        case let .dictionary(dictionary):
            "{" + dictionary.sorted { $0.key < $1.key }.map { "\($0.key):\(flatten($0.value))" }.joined(separator: ",") + "}"
        }
    }

    static func quoted(_ text: String) -> String {
        let needsQuotes = text.isEmpty || text.contains { $0 == " " || $0 == "\"" || $0 == "=" || $0.isNewline }
        guard needsQuotes else { return text }
        let escaped = text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
        return "\"\(escaped)\""
    }

    static func timestamp() -> String {
        let now = Date().timeIntervalSince1970
        var seconds = time_t(now)
        let milliseconds = Int((now - Double(seconds)) * 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday,
            parts.tm_hour, parts.tm_min, parts.tm_sec, milliseconds)
    }
}

/// Writes whole lines to a file descriptor, one `write(2)` each so lines from different
/// threads never interleave.
public enum LogOutput {
    private static let lock = Mutex<Void>(())

    /// A sink writing to standard error.
    public static let standardError: KioskLogHandler.Sink = { line in
        let bytes = Array((line + "\n").utf8)
        lock.withLock { _ in
            bytes.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let written = write(2, buffer.baseAddress! + offset, buffer.count - offset)
                    if written < 0 {
                        if errno == EINTR { continue }
                        return
                    }
                    offset += written
                }
            }
        }
    }

    /// Bootstraps swift-log once per process with the kiosk's handler.
    public static func bootstrap(
        level: Logger.Level, redactor: Redactor, environment: [String: String] = ProcessInfo.processInfo.environment
    ) {
        // journald stamps its entries; a terminal or a file needs the time on the line.
        let underJournal = environment["JOURNAL_STREAM"] != nil
        LoggingSystem.bootstrap { label in
            KioskLogHandler(label: label, level: level, redactor: redactor, withTimestamp: !underJournal, sink: standardError)
        }
    }
}
