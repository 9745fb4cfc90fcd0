import Foundation
import OpenAPIRuntime

/// Dates on the wire as RFC 3339 (`date-time` in the contract): written in whole seconds and
/// UTC, read with or without fractional seconds and with any offset, as the contract allows.
/// The runtime's default reads only whole seconds, refusing valid times other clients send.
public struct RFC3339DateTranscoder: DateTranscoder {
    public init() {}

    public func encode(_ date: Date) throws -> String {
        date.formatted(Date.ISO8601FormatStyle())
    }

    public func decode(_ text: String) throws -> Date {
        if let date = try? Date(text, strategy: Date.ISO8601FormatStyle()) { return date }
        if let date = try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) { return date }
        throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "'\(text)' is not an RFC 3339 date-time"))
    }
}

extension Configuration {
    /// The runtime configuration both sides of the contract use.
    public static var sync: Configuration { Configuration(dateTranscoder: RFC3339DateTranscoder()) }
}
