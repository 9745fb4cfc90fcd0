import KioskCore

extension SessionController {
    /// What spoken prompts are cached under: the catalogue sessions start with now.
    public var catalogueVersion: String { catalog?.contentVersion ?? "no-catalog" }

    /// The personal values of the session under way, none of which may be spoken: what the
    /// card and the platform gave, and what the citizen typed (not the choices of a list).
    public var personalValues: [String] {
        let choices = Set(
            (session.blueprint?.form ?? []).filter { $0.definition.type.options != nil }.map(\.definition.key))
        return remembered + session.values.filter { !choices.contains($0.key) }.map { $0.value.value }
    }
}
