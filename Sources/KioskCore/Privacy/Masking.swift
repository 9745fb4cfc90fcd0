/// How a person's name and number appear where others may read them (a screen in a public
/// hall, a verification page): enough for the person to recognise, not for a passer-by to learn.
public enum Masking {
    /// `张*明`, `林*`.
    public static func name(_ name: String) -> String {
        let characters = Array(name)
        switch characters.count {
        case 0, 1: return name
        case 2: return "\(characters[0])*"
        default: return "\(characters[0])" + String(repeating: "*", count: characters.count - 2) + "\(characters[characters.count - 1])"
        }
    }

    /// `110105********1234`.
    public static func number(_ number: String) -> String {
        guard number.count > 10 else { return String(repeating: "*", count: number.count) }
        return String(number.prefix(6)) + String(repeating: "*", count: number.count - 10) + String(number.suffix(4))
    }
}
