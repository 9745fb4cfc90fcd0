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
            return Self.isValidIDNumber(trimmed) ? nil : problem("公民身份号码有误 (not a valid 18-character ID number)")
        case .creditCode:
            return Self.isValidCreditCode(trimmed) ? nil : problem("统一社会信用代码有误 (not a valid unified social credit code)")
        case let .enumeration(options):
            return options.contains(trimmed) ? nil : problem("请从选项中选择 (one of: \(options.joined(separator: "、")))")
        }
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
