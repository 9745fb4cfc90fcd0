import Foundation
import KioskCore

/// The one query behind the live KPI report, the same on both databases.
enum CaseFactsQuery {
    /// Item stages after which nothing is left to decide.
    static let decided = ["approved", "denied", "not_accepted", "withdrawn", "delivered", "archived"]

    static let sql = """
        SELECT c.case_id, c.bundle, k.name, c.received_at, c.materials, c.prefill, c.steps,
            (SELECT r.level FROM rating r WHERE r.case_id = c.case_id ORDER BY r.given_at DESC LIMIT 1) AS rating,
            (SELECT count(*) FROM work_item w WHERE w.case_id = c.case_id
                AND w.stage NOT IN ('approved', 'denied', 'not_accepted', 'withdrawn', 'delivered', 'archived')) AS open,
            (SELECT max(w.updated_at) FROM work_item w WHERE w.case_id = c.case_id) AS last
        FROM platform_case c JOIN kiosk k ON k.id = c.kiosk_id
        """

    /// The items each case applies for (its work items), read beside `sql` with the same filter.
    static let itemsSQL = "SELECT w.case_id, w.item FROM work_item w JOIN platform_case c ON c.case_id = w.case_id"

    /// Gives each of `facts` its applied items, in the order the rows came.
    static func attach(_ rows: [(caseID: String, item: String)], to facts: [CaseFacts]) -> [CaseFacts] {
        let items = Dictionary(grouping: rows, by: \.caseID).mapValues { $0.map(\.item) }
        return facts.map { fact in
            var fact = fact
            fact.items = items[fact.caseID] ?? []
            return fact
        }
    }

    static func facts(
        caseID: String, bundle: String, kiosk: String, receivedAt: Date, materials: String, prefill: String?, steps: Int?, rating: Int?,
        open: Int, last: Date?
    ) -> CaseFacts {
        let decoder = JSONDecoder()
        return CaseFacts(
            caseID: caseID, bundle: bundle, kioskName: kiosk, receivedAt: receivedAt,
            materials: (try? decoder.decode([String: String].self, from: Data(materials.utf8))) ?? [:],
            prefill: prefill.flatMap { try? decoder.decode(PrefillCounts.self, from: Data($0.utf8)) }, steps: steps, rating: rating,
            finishedAt: open == 0 ? last : nil)
    }
}
