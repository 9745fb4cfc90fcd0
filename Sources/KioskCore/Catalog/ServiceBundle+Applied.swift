extension ServiceBundle {
    /// The bundle as one case applies for it: `items` only, in catalog order, each depending
    /// on applied items only (an item the situation left out is decided without its result).
    /// The kiosk compiles its blueprint this way, and the platform opens work the same way.
    public func applying(_ items: Set<ItemID>) -> ServiceBundle {
        var applied = self
        applied.items = self.items.filter { items.contains($0.id) }.map { item in
            var item = item
            item.dependsOn.removeAll { !items.contains($0) }
            return item
        }
        return applied
    }
}
