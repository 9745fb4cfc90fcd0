import Foundation

/// A query-and-print service as the session needs it: which cards it takes.
public struct QueryChoice: Sendable, Hashable {
    public var id: String
    public var name: String
    /// Empty: every card type.
    public var cardTypes: [IDCardType]

    public init(id: String, name: String, cardTypes: [IDCardType]) {
        self.id = id
        self.name = name
        self.cardTypes = cardTypes
    }

    public func accepts(_ type: IDCardType) -> Bool { cardTypes.isEmpty || cardTypes.contains(type) }
}

/// 查询打印: choose a service, place the card, agree that the platform is asked, then the
/// certificate is printed. The runtime does the asking and printing; this only keeps the steps.
extension CitizenSession {
    /// A query-and-print service was chosen on the attract screen: the card comes next.
    public mutating func chooseQuery(_ choice: QueryChoice) throws(SessionError) {
        try expect(.attract)
        query = choice
        step = .queryCard
    }

    /// A card on the query's card step: kept if the service takes its type, else refused with
    /// what to do instead (and nothing of it kept).
    mutating func queryCardRead(_ card: IDCardData) {
        guard let query else { return }
        guard query.accepts(card.type) else {
            var names: [String] = []
            for type in query.cardTypes where !names.contains(type.chineseName) { names.append(type.chineseName) }
            cardRefusal =
                "“\(query.name)”须持\(names.joined(separator: "或"))查询，您放置的\(card.type.chineseName)不能在本机查询。请到服务窗口办理，或取回证件。"
            alert = .cardNotAccepted
            return
        }
        cardRefusal = nil
        alert = nil
        self.card = card
        cardPresent = true
        step = .queryConsent
    }

    /// The citizen agreed that the platform is asked for their certificate.
    public mutating func consentToQuery() throws(SessionError) {
        try expect(.queryConsent)
        guard card != nil, cardPresent else {
            throw SessionError(.cardMissing, "请将身份证放在读卡区 (place your ID card on the reader)")
        }
        step = .certificate
    }
}
