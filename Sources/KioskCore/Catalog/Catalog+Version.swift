extension Catalog {
    /// A short name of this catalogue's content that is the same in every run: its bundles'
    /// ids and versions (a bundle's wording changes only with its version), FNV-1a hashed.
    /// What the spoken prompts are cached under.
    public var contentVersion: String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bundles.map({ "\($0.id)@\($0.version)" }).joined(separator: "\n").utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return "catalog-" + String(repeating: "0", count: 16 - hex.count) + hex
    }
}
