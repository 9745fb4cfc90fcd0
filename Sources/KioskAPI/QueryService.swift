import Foundation

/// A "query and print" service of the attract screen (社保参保缴费证明, 无犯罪记录证明...): the
/// platform answers it with a certificate, so it is usable only online. The platform publishes
/// the list in a signed `services` bundle (`query-services.json`).
public struct QueryService: Sendable, Equatable, Codable {
    public var id: String
    public var name: String
    /// The card types it takes (`resident-id`, `hmt-residence-permit`…); empty takes every type.
    public var cardTypes: [String]
    /// What the document states, in the citizen's words.
    public var holds: String
    /// How long the certificate is valid for whoever it is shown to.
    public var validDays: Int?

    public init(id: String, name: String, cardTypes: [String] = [], holds: String = "", validDays: Int? = nil) {
        self.id = id
        self.name = name
        self.cardTypes = cardTypes
        self.holds = holds
        self.validDays = validDays
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        name = try container.decode(String.self, forKey: .name)
        cardTypes = try container.decodeIfPresent([String].self, forKey: .cardTypes) ?? []
        holds = try container.decodeIfPresent(String.self, forKey: .holds) ?? ""
        validDays = try container.decodeIfPresent(Int.self, forKey: .validDays)
    }

    /// The file of a signed `services` bundle.
    public static let file = "query-services.json"

    /// The list in an installed `services` bundle.
    public static func services(inBundle folder: URL) throws -> [QueryService] {
        let data = try Data(contentsOf: folder.appendingPathComponent(file))
        return try JSONDecoder().decode([QueryService].self, from: data)
    }

    /// Offered when the configuration names none.
    public static let defaults = [
        QueryService(id: "social-insurance-record", name: "社保参保缴费证明"),
        QueryService(id: "housing-fund-record", name: "住房公积金缴存证明"),
        QueryService(id: "property-record", name: "不动产登记信息查询"),
    ]
}
