/// A result's print job that had not ended when kioskd last stopped (`result_print`): the next
/// start asks CUPS how it ended, so that a result printed meanwhile is still delivered once.
public struct UnfinishedResultPrint: Sendable, Hashable {
    public var job: Int
    public var caseID: String
    public var item: String
    public var resultSHA256: String?
    /// The case's receipt number, which the job's title names; nil once the case is purged.
    public var receiptNumber: String?

    public init(job: Int, caseID: String, item: String, resultSHA256: String?, receiptNumber: String? = nil) {
        self.receiptNumber = receiptNumber
        self.job = job
        self.caseID = caseID
        self.item = item
        self.resultSHA256 = resultSHA256
    }
}
