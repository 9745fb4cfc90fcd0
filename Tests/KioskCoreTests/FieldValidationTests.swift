import Foundation
import KioskCore
import Testing

@Suite("Field values")
struct FieldValidationTests {
    static func field(_ type: FieldType) -> FieldDefinition {
        FieldDefinition(key: "k", label: "字段", type: type, sources: [.citizen])
    }

    @Test(
        "accepted values",
        arguments: [
            (FieldType.idNumber, "11010519491231002X"), (.idNumber, "410721200002291239"), (.idNumber, "11010519491231002x"),
            (.creditCode, "91350100M000100Y43"), (.phone, "13800138000"), (.date, "2026-02-14"), (.number, "12.5"),
            (.enumeration(["男", "女"]), "女"), (.text, "新乡县"),
        ])
    func accepted(type: FieldType, value: String) {
        #expect(Self.field(type).validate(value) == nil)
    }

    @Test(
        "refused values, without echoing them",
        arguments: [
            (FieldType.idNumber, "110105194912310021"), (.idNumber, "11010519491331002X"), (.creditCode, "91350100M000100Y44"),
            (.phone, "12800138000"), (.phone, "1380013800"), (.date, "2026-02-30"), (.number, "-1"),
            (.enumeration(["男", "女"]), "未知"), (.text, "  "),
        ])
    func refused(type: FieldType, value: String) throws {
        let problem = try #require(Self.field(type).validate(value))
        #expect(problem.field == "k")
        if !value.trimmingCharacters(in: .whitespaces).isEmpty {
            #expect(!problem.message.contains(value))
        }
    }
}
