/// An item of a case that waits for shared data: fields only shared data may fill, which it
/// did not (the kiosk was offline, or nothing was on record), and without which the catalogue
/// says the item cannot proceed. The case is accepted; this item proceeds once the department
/// has the data.
public struct SharedDataWait: Codable, Sendable, Hashable {
    /// The item that waits.
    public var item: ItemID
    /// The fields it waits for, in form order.
    public var fields: [FieldKey]

    /// Creates a wait.
    public init(item: ItemID, fields: [FieldKey]) {
        self.item = item
        self.fields = fields
    }
}
