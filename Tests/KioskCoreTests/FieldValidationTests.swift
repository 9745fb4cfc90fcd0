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
            // The person's own document: an HMT residence permit, the 2017 and 2023 foreigner cards.
            (.idNumber, "810000199408230021"), (.idNumber, "CAN310085061217"), (.idNumber, "932682198501010017"),
            (.socialSecurityNumber, "11010519491231002X"), (.vin, "1M8GDM9AXKP042788"), (.vin, "LSVAU218XN2183294"),
            (.multipleChoice(["公章", "财务章", "合同章"]), "公章、合同章"), (.multipleChoice(["公章", "财务章"]), "财务章"),
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
            (.socialSecurityNumber, "NO-2025-107"), (.idNumber, "CAN3100850612"), (.vin, "1M8GDM9A1KP042788"),
            (.vin, "1M8GDM9AXKP04278O"), (.multipleChoice(["公章", "财务章"]), "公章、公章"), (.multipleChoice(["公章", "财务章"]), "私章"),
        ])
    func refused(type: FieldType, value: String) throws {
        let problem = try #require(Self.field(type).validate(value))
        #expect(problem.field == "k")
        if !value.trimmingCharacters(in: .whitespaces).isEmpty {
            #expect(!problem.message.contains(value))
        }
    }
}

@Suite("Chinese names")
struct PersonNameTests {
    static let field = FieldDefinition(key: "newborn.name", label: "新生儿姓名", type: .personName, sources: [.citizen])

    @Test(
        "a name the ID card can hold is accepted",
        arguments: [
            "林雨", "欧阳晓明",
            // 生僻字 of the 通用规范汉字表 but not of GB 2312 level 1: levels 2 and 3.
            "王堃", "李喆", "张玥", "赵䶮", "陈𬌗",
            // Minority names keep their parts, joined by the middle dot as on the card.
            "买买提·艾力", "阿依古丽·买买提·吐尔逊",
        ])
    func accepted(name: String) {
        #expect(Self.field.validate(name) == nil)
    }

    @Test(
        "a name the ID card cannot hold is explained, naming the position, never the name",
        arguments: [
            ("Lin雨", "拉丁字母"), ("林 雨", "第2个字"), ("·林雨", "间隔号"), ("林雨·", "间隔号"), ("买买提··艾力", "间隔号"),
            ("买买提•艾力", "第4个字"), ("林😀", "第2个字"), ("林龍", "第2个字"), ("张三4", "第3个字"),
            ("阿依古丽买买提吐尔逊阿依古丽买买", "15"),
        ])
    func refused(name: String, says: String) throws {
        let problem = try #require(Self.field.validate(name))
        #expect(problem.message.contains(says))
        #expect(problem.message.hasPrefix("新生儿姓名："))
        #expect(!problem.message.contains(name))
    }

    @Test("the table is the 通用规范汉字表: 8,105 characters, from 一 to the level-3 rarities")
    func table() {
        #expect(PersonName.isStandard("一"))
        #expect(PersonName.isStandard("堃"))
        #expect(!PersonName.isStandard("龍"))  // traditional: not in the simplified table
        #expect(!PersonName.isStandard("A"))
        #expect(FieldType.names.contains("person_name"))
    }
}
