/// Where one item of a case stands; the stages real platform integrations report.
public enum ItemState: String, Sendable, Hashable, Codable, CaseIterable {
    /// 收件: materials received, receipt issued; the department decides within 1 working day.
    case received
    /// 受理: accepted; the item's clock runs from here.
    case accepted
    /// 不予受理: not accepted, with written reasons.
    case notAccepted = "not_accepted"
    /// 审核/审批: under review.
    case inReview = "in_review"
    /// 补正: waiting for supplementary materials; the clock is stopped.
    case awaitingSupplements = "awaiting_supplements"
    /// 挂起/特别程序: hearing, expert review or inspection; the clock is stopped.
    case suspended
    /// 办结 (准予): approved.
    case approved
    /// 办结 (不予许可): denied.
    case denied
    /// 撤回: the applicant withdrew before a decision; the department stops.
    case withdrawn
    /// 送达: the result (or the written refusal) was delivered.
    case delivered
    /// 归档: archived; nothing more happens.
    case archived

    /// States reachable in one step. Leaving `awaitingSupplements` or `suspended` for an
    /// earlier state is further limited by `BundleCase` to the state the item was paused from.
    public var legalNextStates: Set<ItemState> {
        switch self {
        case .received: [.accepted, .notAccepted, .awaitingSupplements, .withdrawn]
        case .accepted: [.inReview, .withdrawn]
        case .inReview: [.awaitingSupplements, .suspended, .approved, .denied, .withdrawn]
        case .awaitingSupplements: [.received, .inReview, .notAccepted, .denied, .withdrawn]
        case .suspended: [.inReview, .denied, .withdrawn]
        case .approved: [.delivered]
        case .denied, .notAccepted: [.delivered, .archived]
        case .withdrawn, .delivered: [.archived]
        case .archived: []
        }
    }

    /// Whether the item's clock is stopped in this state.
    public var stopsClock: Bool { self == .awaitingSupplements || self == .suspended }

    /// Whether a decision has been made (the applicant can no longer withdraw the item).
    public var isDecided: Bool {
        switch self {
        case .approved, .denied, .notAccepted, .delivered, .archived, .withdrawn: true
        default: false
        }
    }
}
