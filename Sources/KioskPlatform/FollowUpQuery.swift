/// The follow-up list, the same SQL on both databases.
enum FollowUpQuery {
    static let list = """
        SELECT f.rating_id, f.case_id, c.receipt_number, f.department, r.level, f.opened_at, f.due_by, f.closed_at, f.note
        FROM follow_up f JOIN rating r ON r.rating_id = f.rating_id JOIN platform_case c ON c.case_id = f.case_id
        ORDER BY f.closed_at IS NOT NULL, f.due_by
        """
}
