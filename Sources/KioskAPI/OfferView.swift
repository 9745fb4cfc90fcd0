/// The attract screen's offer: the bundles, and whether the platform is reachable.
public struct OfferView: Encodable, Sendable {
    public struct Bundle: Encodable, Sendable {
        public var id: String
        public var name: String
        public var leadDepartment: String
        public var items: Int

        public init(id: String, name: String, leadDepartment: String, items: Int) {
            self.id = id
            self.name = name
            self.leadDepartment = leadDepartment
            self.items = items
        }
    }

    public var kioskID: String
    public var online: Bool
    public var bundles: [Bundle]
    public var idleTimeoutSeconds: Int
    /// "Query and print" services (need the platform).
    public var queryServices: [QueryService]
    /// Whether new applications are taken now (progress lookup and reprints always are).
    public var acceptingApplications = true
    /// Why not, in the citizen's words, with where to go instead.
    public var notice: String?
    /// The hall's hours, a line a day (`monday: 08:30-12:00, 14:00-17:30`); `nil`: not stated.
    public var openingHours: [String]?
    /// Whether the hall is open now by those hours (`true` when none are stated).
    public var hallOpen = true

    public init(kioskID: String, online: Bool, bundles: [Bundle], idleTimeoutSeconds: Int, queryServices: [QueryService]) {
        self.kioskID = kioskID
        self.online = online
        self.bundles = bundles
        self.idleTimeoutSeconds = idleTimeoutSeconds
        self.queryServices = queryServices
    }
}
