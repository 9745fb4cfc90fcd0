/// A "query and print" service of the attract screen (社保参保证明...): the answer comes from
/// the platform, so it is usable only online.
public struct QueryService: Sendable, Equatable, Codable {
    public var id: String
    public var name: String

    public init(id: String, name: String) {
        self.id = id
        self.name = name
    }

    /// Offered when the configuration names none.
    public static let defaults = [
        QueryService(id: "social-insurance-record", name: "社保参保缴费证明"),
        QueryService(id: "housing-fund-record", name: "住房公积金缴存证明"),
        QueryService(id: "property-record", name: "不动产登记信息查询"),
    ]
}
