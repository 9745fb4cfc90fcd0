import Foundation

/// Why a value typed or read into a form field is not acceptable. The message names the
/// field and the rule, never the value: values are personal data.
public struct FieldValueProblem: Error, Sendable, Hashable, CustomStringConvertible {
    /// The field.
    public var field: FieldKey
    /// What rule the value breaks, in words a citizen can act on.
    public var message: String

    /// `message`.
    public var description: String { message }
}

extension FieldDefinition {
    /// Checks `value` against the field's type; `nil` when acceptable.
    public func validate(_ value: String) -> FieldValueProblem? {
        func problem(_ rule: String) -> FieldValueProblem {
            FieldValueProblem(field: key, message: "\(label)：\(rule)")
        }
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { return problem("不能为空 (required)") }
        guard !trimmed.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            return problem("含有不可见字符 (contains control characters)")
        }
        switch type {
        case .text:
            return trimmed.count <= 200 ? nil : problem("不超过200个字 (at most 200 characters)")
        case .personName:
            return PersonName.problem(trimmed).map(problem)
        case .number:
            return Double(trimmed).map { $0 >= 0 && $0.isFinite } == true ? nil : problem("应为非负数字 (a number, 0 or more)")
        case .date:
            return CivilDate(iso: trimmed) == nil ? problem("日期格式为 YYYY-MM-DD (a date written YYYY-MM-DD)") : nil
        case .phone:
            let digits = Array(trimmed.utf8)
            let valid =
                digits.count == 11 && digits.allSatisfy { (48...57).contains($0) } && digits[0] == 49
                && (51...57).contains(digits[1])
            return valid ? nil : problem("应为11位手机号码 (an 11-digit mobile number)")
        case .idNumber:
            return Self.isValidDocumentNumber(trimmed)
                ? nil : problem("证件号码有误，请核对身份证、居住证或永久居留身份证上的号码 (not a valid ID document number)")
        case .socialSecurityNumber:
            return Self.isValidIDNumber(trimmed)
                ? nil : problem("社会保障号码为18位，与本人公民身份号码相同 (the 18-character number of the holder's ID)")
        case .vin:
            return Self.isValidVIN(trimmed)
                ? nil : problem("车辆识别代号为17位，见行驶证或车架铭牌 (17 characters, as on the registration certificate)")
        case .creditCode:
            return Self.isValidCreditCode(trimmed) ? nil : problem("统一社会信用代码有误 (not a valid unified social credit code)")
        case let .enumeration(options):
            return options.contains(trimmed) ? nil : problem("请从选项中选择 (one of: \(options.joined(separator: "、")))")
        case let .multipleChoice(options):
            let chosen = Self.choices(trimmed)
            let valid = !chosen.isEmpty && chosen.allSatisfy(options.contains) && Set(chosen).count == chosen.count
            return valid ? nil : problem("请选择一项或多项 (one or more of: \(options.joined(separator: "、")))")
        }
    }

    /// Separator of the answers of a `multi_enum` field.
    public static let choiceSeparator = "、"

    /// The answers of a `multi_enum` value.
    public static func choices(_ value: String) -> [String] {
        value.components(separatedBy: choiceSeparator).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// `value` as stored: a `multi_enum` value's answers in the options' order; others trimmed.
    public func normalised(_ value: String) -> String {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        guard case let .multipleChoice(options) = type else { return trimmed }
        let chosen = Set(Self.choices(trimmed))
        return options.filter(chosen.contains).joined(separator: Self.choiceSeparator)
    }

    /// The number of any identity document the reader takes: GB 11643 (resident ID, HMT
    /// residence permit with 81/82/83, 2023 foreigner card with 9), or the 2017 foreigner card's
    /// 3 letters and 12 digits (its check rule is not public; the shape and birth date are checked).
    static func isValidDocumentNumber(_ text: String) -> Bool {
        if isValidIDNumber(text) { return true }
        let bytes = Array(text.uppercased().utf8)
        guard bytes.count == 15, bytes[0..<3].allSatisfy({ (65...90).contains($0) }),
            bytes[3...].allSatisfy({ (48...57).contains($0) })
        else { return false }
        let birth = String(decoding: bytes[7..<13], as: UTF8.self)
        let month = Int(birth.dropFirst(2).prefix(2)) ?? 0
        let day = Int(birth.suffix(2)) ?? 0
        return (1...12).contains(month) && (1...31).contains(day)
    }

    /// GB 16735 / ISO 3779: 17 characters without I, O, Q; the 9th is the check digit (or X).
    static func isValidVIN(_ text: String) -> Bool {
        let characters = Array(text.uppercased().utf8)
        guard characters.count == 17 else { return false }
        let weights = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2]
        func value(_ c: UInt8) -> Int? {
            switch c {
            case 48...57: return Int(c - 48)
            case 65...72: return Int(c - 64)  // A–H: 1–8
            case 74...78: return Int(c - 73)  // J–N: 1–5
            case 80: return 7  // P
            case 82: return 9  // R
            case 83...90: return Int(c - 81)  // S–Z: 2–9
            default: return nil  // I, O, Q and anything else
            }
        }
        var sum = 0
        for (index, c) in characters.enumerated() {
            guard let v = value(c) else { return false }
            sum += v * weights[index]
        }
        let check = sum % 11
        return characters[8] == (check == 10 ? 88 : UInt8(48 + check))
    }

    /// GB 11643: 17 digits with a valid birth date, then an ISO 7064 MOD 11-2 check character.
    static func isValidIDNumber(_ text: String) -> Bool {
        let characters = Array(text.uppercased().utf8)
        guard characters.count == 18 else { return false }
        let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
        var sum = 0
        for index in 0..<17 {
            let c = characters[index]
            guard (48...57).contains(c) else { return false }
            sum += Int(c - 48) * weights[index]
        }
        let checks = Array("10X98765432".utf8)
        guard characters[17] == checks[sum % 11] else { return false }
        let birth = String(decoding: characters[6..<14], as: UTF8.self)
        let iso = "\(birth.prefix(4))-\(birth.dropFirst(4).prefix(2))-\(birth.suffix(2))"
        return CivilDate(iso: iso) != nil
    }

    /// GB 32100: 17 characters from the code's alphabet and a MOD 31 check character.
    static func isValidCreditCode(_ text: String) -> Bool {
        let alphabet = Array("0123456789ABCDEFGHJKLMNPQRTUWXY")
        let characters = Array(text.uppercased())
        guard characters.count == 18 else { return false }
        let weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
        var sum = 0
        for index in 0..<17 {
            guard let value = alphabet.firstIndex(of: characters[index]) else { return false }
            sum += value * weights[index]
        }
        let check = (31 - sum % 31) % 31
        return characters[17] == alphabet[check]
    }
}
