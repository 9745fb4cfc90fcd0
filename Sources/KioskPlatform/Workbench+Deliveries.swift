import Foundation

extension Workbench {
    /// Where and when an item's result was printed at a kiosk (统一出件), and how often again.
    func deliveryNote(_ deliveries: [DeliveryRecord]) -> String {
        guard let first = deliveries.first(where: { !$0.reprint }) ?? deliveries.first else { return "" }
        let reprints = deliveries.filter(\.reprint).count
        let again = reprints == 0 ? "" : "；补打 <span class=\"reprints\">\(reprints)</span> 次"
        return """
            <br><span class="delivery">在自助终端 \(Self.escape(first.kioskName ?? first.kioskID)) 打印 \(time(first.at))\(again)</span>
            """
    }
}
