/// The rule for a Chinese name typed at the kiosk: what a resident ID card can hold and the
/// household register will take. Characters of the 通用规范汉字表 (8,105) and the middle dot
/// `·` between the parts of a minority name; no Latin letters. Every refusal says which
/// position and why, never the name itself: names are personal data.
public enum PersonName {
    /// The separator of a minority name's parts (U+00B7), as printed on the ID card.
    public static let middleDot: Character = "·"

    /// The longest name the ID card's name field holds (30 bytes of UCS-2).
    public static let maximumLength = 15

    /// Whether `character` is one of the 8,105 characters of the 通用规范汉字表.
    public static func isStandard(_ character: Character) -> Bool {
        guard character.unicodeScalars.count == 1, let scalar = character.unicodeScalars.first else { return false }
        return standardScalars.contains(scalar)
    }

    /// Why `name` (already trimmed, not empty) cannot be a Chinese name; `nil` when it can.
    public static func problem(_ name: String) -> String? {
        let characters = Array(name)
        if characters.contains(where: { $0.isASCII && $0.isLetter }) {
            return "中文姓名不能含拉丁字母，请用汉字填写 (no Latin letters in a Chinese name)"
        }
        if characters.count > maximumLength {
            return "姓名不超过\(maximumLength)个字，少数民族姓名请按身份证上的写法 (at most \(maximumLength) characters, as on the ID card)"
        }
        for (index, character) in characters.enumerated() {
            let position = "第\(index + 1)个字"
            if character == middleDot {
                if index == 0 || index == characters.count - 1 || characters[index - 1] == middleDot {
                    return "间隔号“·”只能用在姓名的两部分之间 (the middle dot only separates the parts of a name)"
                }
            } else if lookalikeDots.contains(character) {
                return "\(position)：少数民族姓名的间隔号请用键盘上的“·” (use the keyboard's middle dot)"
            } else if character.isWhitespace {
                return "\(position)：姓名中不能有空格 (no spaces in a name)"
            } else if !isStandard(character) {
                return
                    "\(position)不在《通用规范汉字表》的8105字内，户籍和身份证都无法登记，请换用规范汉字，或到人工窗口咨询 (not one of the 8,105 standard characters)"
            }
        }
        return nil
    }

    /// Dots that look like the middle dot but are not what the ID card holds.
    static let lookalikeDots: Set<Character> = ["•", "・", "．", "｡", "。", "‧", "∙", "⋅", "●"]

    static let standardScalars: Set<Unicode.Scalar> = Set(StandardCharacters.table.unicodeScalars)
}
