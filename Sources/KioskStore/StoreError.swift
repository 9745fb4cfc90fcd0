import Foundation
import GRDB

/// A store failure: a code to act on, words for the technician, and the SQLite cause.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure, so that callers can branch without parsing messages; a struct
    /// wrapping a private enum so that codes can grow without breaking `switch`es.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case corrupt, diskFull, readOnly, cannotOpen, quarantined, duplicate, io, other
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The file is not a healthy SQLite database.
        public static let corrupt = Code(.corrupt)
        /// The disk is full: nothing more can be committed until space is freed.
        public static let diskFull = Code(.diskFull)
        /// The file or its folder cannot be written.
        public static let readOnly = Code(.readOnly)
        /// The file cannot be opened (missing folder, permissions).
        public static let cannotOpen = Code(.cannotOpen)
        /// The database was quarantined and a technician has not decided yet.
        public static let quarantined = Code(.quarantined)
        /// The row exists already (same case id or receipt number).
        public static let duplicate = Code(.duplicate)
        /// Any other I/O failure.
        public static let io = Code(.io)
        /// Anything else.
        public static let other = Code(.other)

        /// The code as it appears in JSON and logs.
        public var description: String { base.rawValue }
    }

    /// What kind of failure.
    public var code: Code
    /// What happened and what to do, in technician's words.
    public var message: String
    /// The underlying cause (a GRDB `DatabaseError`, a file system error), for logs; never
    /// shown to citizens.
    public var cause: (any Error & Sendable)?

    /// Creates an error.
    public init(_ code: Code, _ message: String, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    /// Classifies an error from SQLite or the file system.
    init(classifying error: any Error, path: String) {
        if let error = error as? StoreError {
            self = error
            return
        }
        guard let database = error as? DatabaseError else {
            self.init(.other, "the database at \(path) failed: \(error)", cause: error)
            return
        }
        switch database.resultCode {
        case .SQLITE_CORRUPT, .SQLITE_NOTADB:
            self.init(.corrupt, "the database at \(path) is damaged (\(database.message ?? "corrupt"))", cause: database)
        case .SQLITE_FULL:
            self.init(
                .diskFull, "the disk holding \(path) is full: free space, then retry; nothing was saved",
                cause: database)
        case .SQLITE_READONLY, .SQLITE_PERM:
            self.init(.readOnly, "the database at \(path) cannot be written: check its owner and mode", cause: database)
        case .SQLITE_CANTOPEN:
            self.init(
                .cannotOpen, "the database at \(path) cannot be opened: check that its folder exists and is writable",
                cause: database)
        case .SQLITE_CONSTRAINT:
            self.init(.duplicate, "the row already exists", cause: database)
        case .SQLITE_IOERR:
            self.init(.io, "reading or writing \(path) failed (\(database.message ?? "I/O error"))", cause: database)
        default:
            self.init(.other, "the database at \(path) failed: \(database.message ?? "\(database.resultCode)")", cause: database)
        }
    }

    /// `message`.
    public var description: String { message }
}
