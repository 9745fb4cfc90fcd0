import Foundation

/// A print job as technicians see it (`kioskctl print jobs`): no document content.
public struct PrintJobSummary: Codable, Sendable, Hashable {
    public var id: String
    public var caseNumber: String
    public var document: String
    public var printer: String
    public var state: String
    public var requestedBy: String
    public var reprintOf: String?
    public var attempts: Int
    public var lastError: String?
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: String, caseNumber: String, document: String, printer: String, state: String, requestedBy: String, reprintOf: String?,
        attempts: Int, lastError: String?, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.caseNumber = caseNumber
        self.document = document
        self.printer = printer
        self.state = state
        self.requestedBy = requestedBy
        self.reprintOf = reprintOf
        self.attempts = attempts
        self.lastError = lastError
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}
