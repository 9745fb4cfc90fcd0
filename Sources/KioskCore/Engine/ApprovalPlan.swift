/// The order of approval (并联审批): stages of items decided in parallel; an item that needs
/// another item's result is in a later stage than it.
public struct ApprovalPlan: Sendable, Hashable, Codable {
    /// Items by stage; stage 0 holds the items that depend on nothing.
    public var stages: [[ItemID]]

    /// Creates a plan.
    public init(stages: [[ItemID]]) {
        self.stages = stages
    }

    /// The stage of each item: its longest chain of dependencies, so every item runs as soon as
    /// everything it needs is decided. A cycle is returned as a problem naming its items in
    /// order, at the dependency that closes it. Dependencies on unknown items are ignored here
    /// (they are reported as dangling by validation).
    public static func compute(for items: [ServiceItem], in bundle: BundleID = "") -> Result<ApprovalPlan, CatalogProblem> {
        let ids = Set(items.map(\.id))
        var byID: [ItemID: ServiceItem] = [:]
        for item in items where byID[item.id] == nil { byID[item.id] = item }
        var level: [ItemID: Int] = [:]
        // 0 = unvisited, 1 = on the current path, 2 = done.
        var mark: [ItemID: Int] = [:]
        var path: [ItemID] = []

        func visit(_ id: ItemID) -> [ItemID]? {
            if mark[id] == 2 { return nil }
            if mark[id] == 1 {
                let start = path.lastIndex(of: id) ?? 0
                return Array(path[start...]) + [id]
            }
            mark[id] = 1
            path.append(id)
            var depth = 0
            for dependency in byID[id]?.dependsOn ?? [] where ids.contains(dependency) && dependency != id {
                if let cycle = visit(dependency) { return cycle }
                depth = max(depth, (level[dependency] ?? 0) + 1)
            }
            path.removeLast()
            mark[id] = 2
            level[id] = depth
            return nil
        }

        for item in items {
            if let cycle = visit(item.id) {
                // The edge that closes the cycle: cycle[count-2] depends on cycle[count-1].
                let owner = cycle[cycle.count - 2]
                let target = cycle[cycle.count - 1]
                let index = byID[owner]?.dependsOn.firstIndex(of: target) ?? 0
                return .failure(
                    CatalogProblem(
                        .dependencyCycle,
                        "dependency cycle: " + cycle.joined(separator: " needs ")
                            + " (no item of a cycle can ever be decided)",
                        at: .itemListEntry(bundle, owner, "depends_on", index)))
            }
        }
        let depth = (level.values.max() ?? -1) + 1
        var stages = [[ItemID]](repeating: [], count: depth)
        var placed = Set<ItemID>()
        for item in items where placed.insert(item.id).inserted {
            stages[level[item.id] ?? 0].append(item.id)
        }
        return .success(ApprovalPlan(stages: stages))
    }
}
