import Foundation
import KioskCore
import Testing

/// A text block written field by field at the reference's offsets, independently of the
/// library's encoder.
struct HandWrittenBlock {
    var bytes = [UInt8](repeating: 0, count: 256).enumerated().map { $0.offset % 2 == 0 ? UInt8(0x20) : 0 }

    mutating func put(_ text: String, at offset: Int) {
        for (index, unit) in text.utf16.enumerated() {
            bytes[offset + 2 * index] = UInt8(unit & 0xFF)
            bytes[offset + 2 * index + 1] = UInt8(unit >> 8)
        }
    }
}

@Suite("ID card layouts")
struct IDCardLayoutTests {
    @Test func residentIDCard() throws {
        var block = HandWrittenBlock()
        block.put("林晓明", at: 0)
        block.put("1", at: 30)
        block.put("01", at: 32)
        block.put("19900307", at: 36)
        block.put("北京市朝阳区建国路88号", at: 52)
        block.put("110105199003071239", at: 122)
        block.put("北京市公安局朝阳分局", at: 158)
        block.put("20150310", at: 188)
        block.put("20350310", at: 204)
        let extra = IDCardTextBlock.encodeAdditionalAddress("北京市海淀区中关村大街1号")
        let card = try IDCardTextBlock.decode(block.bytes, photo: [1, 2, 3], additionalAddress: extra)
        #expect(card.type == .residentID)
        #expect(card.name == "林晓明")
        #expect(card.gender == .male)
        #expect(card.ethnicity == Ethnicity(code: "01"))
        #expect(card.ethnicity?.name == "汉")
        #expect(card.birthDate == "19900307")
        #expect(card.address == "北京市朝阳区建国路88号")
        #expect(card.idNumber == "110105199003071239")
        #expect(card.issuer == "北京市公安局朝阳分局")
        #expect(card.validFrom == "20150310")
        #expect(card.validUntil == .date("20350310"))
        #expect(card.additionalAddress == "北京市海淀区中关村大街1号")
        #expect(card.photo.wlt == Data([1, 2, 3]))
        #expect(card.photo.state == .notDecodableHere)
        #expect(card.idNumberFindings.isEmpty)
        #expect(card.dataFindings.isEmpty)
    }

    @Test func residentCardValidLongTerm() throws {
        var block = HandWrittenBlock()
        block.put("陈静", at: 0)
        block.put("2", at: 30)
        block.put("08", at: 32)
        block.put("19750228", at: 36)
        block.put("440305197502280463", at: 122)
        block.put("20120815", at: 188)
        block.put("长期", at: 204)
        let card = try IDCardTextBlock.decode(block.bytes)
        #expect(card.validUntil == .longTerm)
        #expect(card.ethnicity?.name == "壮")
        #expect(card.gender == .female)
        #expect(card.idNumberFindings.isEmpty)
    }

    @Test func hongKongMacauTaiwanPermit() throws {
        var block = HandWrittenBlock()
        block.put("何嘉欣", at: 0)
        block.put("2", at: 30)
        block.put("19880615", at: 36)
        block.put("广东省广州市天河区天河路385号", at: 52)
        block.put("810000198806152343", at: 122)
        block.put("广州市公安局天河分局", at: 158)
        block.put("20240101", at: 188)
        block.put("20290101", at: 204)
        block.put("H12345678", at: 220)
        block.put("01", at: 238)
        block.put("J", at: 248)
        let card = try IDCardTextBlock.decode(block.bytes)
        #expect(card.type == .residencePermitHMT)
        #expect(card.name == "何嘉欣")
        #expect(card.passNumber == "H12345678")
        #expect(card.issueCount == "01")
        #expect(card.ethnicity == nil)
        #expect(card.address == "广东省广州市天河区天河路385号")
        #expect(card.idNumberFindings.isEmpty)
    }

    @Test func foreignerCard2017() throws {
        var block = HandWrittenBlock()
        block.put("SMITH JOHN ALEXANDER", at: 0)
        block.put("1", at: 120)
        block.put("CAN310085061217", at: 122)
        block.put("CAN", at: 152)
        block.put("史密斯", at: 158)
        block.put("20170510", at: 188)
        block.put("20270510", at: 204)
        block.put("19850612", at: 220)
        block.put("17", at: 236)
        block.put("3100", at: 240)
        block.put("I", at: 248)
        let card = try IDCardTextBlock.decode(block.bytes)
        #expect(card.type == .foreignPermanentResident2017)
        #expect(card.englishName == "SMITH JOHN ALEXANDER")
        #expect(card.chineseName == "史密斯")
        #expect(card.name == "史密斯")
        #expect(card.gender == .male)
        #expect(card.idNumber == "CAN310085061217")
        #expect(card.nationality == "CAN")
        #expect(card.birthDate == "19850612")
        #expect(card.cardVersion == "17")
        #expect(card.issuingOffice == "3100")
        #expect(card.address == nil)
        #expect(card.issuer == nil)
        // The 15-character number's check rule is not public: reported, not failed.
        #expect(card.idNumberFindings == [.checkCharacterNotVerifiable])
        #expect(card.idNumberLooksValid)
    }

    @Test func foreignerCard2023WithALongEnglishName() throws {
        let english = "MARTIN GEORGE ALEXANDER WILLIAMSON-HARGREAVES"
        var block = HandWrittenBlock()
        block.put("马丁", at: 0)
        block.put("1", at: 30)
        block.put("00", at: 32)
        block.put("19780921", at: 36)
        block.put(String(english.prefix(35)), at: 52)
        block.put("931840197809210156", at: 122)
        block.put("20231201", at: 188)
        block.put("20331201", at: 204)
        block.put(String(english.dropFirst(35)), at: 220)
        block.put("USA", at: 242)
        block.put("Y", at: 248)
        let card = try IDCardTextBlock.decode(block.bytes)
        #expect(card.type == .foreignPermanentResident2023)
        #expect(card.chineseName == "马丁")
        #expect(card.englishName == english)
        #expect(card.renewalCount == "00")
        #expect(card.nationality == "USA")
        #expect(card.idNumberFindings.isEmpty)
    }

    @Test(arguments: IDCardType.allCases)
    func encoderAndDecoderAgree(type: IDCardType) throws {
        let card = IDCardData(
            type: type, chineseName: "测试",
            englishName: type == .foreignPermanentResident2017 || type == .foreignPermanentResident2023 ? "TEST PERSON" : nil,
            gender: .female, ethnicity: type == .residentID ? "10" : nil, birthDate: "20000229",
            address: type == .residentID || type == .residencePermitHMT ? "某地" : nil,
            idNumber: type == .foreignPermanentResident2017 ? "ABC110000022912" : "110105200002291243",
            validFrom: "20200101", validUntil: .date("20300101"), nationality: type.marker == "I" || type.marker == "Y" ? "ABC" : nil)
        let decoded = try IDCardTextBlock.decode(IDCardTextBlock.encode(card))
        #expect(decoded.type == type)
        #expect(decoded.chineseName == card.chineseName)
        #expect(decoded.englishName == card.englishName)
        #expect(decoded.gender == .female)
        #expect(decoded.birthDate == "20000229")
        #expect(decoded.idNumber == card.idNumber)
        #expect(decoded.nationality == card.nationality)
    }

    @Test func wrongSizedTextBlockIsAnError() {
        #expect(throws: SAMProtocolError.self) { try IDCardTextBlock.decode([UInt8](repeating: 0x20, count: 100)) }
    }

    @Test func oddFieldsAreFlaggedNotRefused() throws {
        var block = HandWrittenBlock()
        block.put("某人", at: 0)
        block.put("7", at: 30)
        block.put("77", at: 32)
        block.put("19901301", at: 36)
        block.put("110105199003071238", at: 122)
        block.put("2015031", at: 188)
        block.put("20350310", at: 204)
        let card = try IDCardTextBlock.decode(block.bytes)
        #expect(Set(card.dataFindings) == [.birthDateInvalid, .validFromInvalid, .unknownGenderCode, .unknownEthnicityCode])
        #expect(card.genderCode == "7")
        #expect(card.idNumberFindings.contains(.checkCharacterMismatch))
        #expect(card.idNumberFindings.contains(.birthDateMismatch))
    }

    @Test func personalDataNeverAppearsInDescriptions() throws {
        var block = HandWrittenBlock()
        block.put("林晓明", at: 0)
        block.put("110105199003071239", at: 122)
        let card = try IDCardTextBlock.decode(block.bytes)
        var dumped = ""
        dump(card, to: &dumped)
        for text in ["\(card)", String(describing: card), String(reflecting: card), dumped] {
            #expect(!text.contains("林晓明"))
            #expect(!text.contains("110105"))
        }
        let masked = card.masked()
        #expect(masked.name == "林**")
        #expect(masked.idNumber == "110105************")
    }
}

@Suite("ID numbers (GB 11643)")
struct IDNumberTests {
    @Test(arguments: ["11010519491231002X", "440524188001010014", "110105199003071239", "11010519491231002x"])
    func standardExamplesAreValid(number: String) {
        #expect(IDNumberCheck.hasValidCheckCharacter(number))
    }

    @Test(arguments: ["110105194912310021", "440524188001010015", "11010519491231002", "1101051949123100ZX"])
    func wrongCheckCharactersAreCaught(number: String) {
        #expect(!IDNumberCheck.hasValidCheckCharacter(number))
    }

    @Test func findingsCompareTheNumberWithTheCard() {
        func findings(
            _ number: String, birth: String = "19491231", gender: Gender = .female, type: IDCardType = .residentID
        ) -> Set<IDNumberFinding> {
            Set(IDNumberCheck.findings(number: number, type: type, birthDate: birth, gender: gender))
        }
        #expect(findings("11010519491231002X").isEmpty)
        #expect(findings("11010519491231002X", gender: .male) == [.genderMismatch])
        #expect(findings("11010519491231002X", birth: "19491230") == [.birthDateMismatch])
        #expect(findings("11010519491231002X", gender: .notStated).isEmpty)
        #expect(findings("99010519491231002X").contains(.unknownAreaPrefix))
        #expect(findings("11010519491331002X").contains(.birthDateInvalid))
        #expect(findings("1101051949") == [.malformed])
        #expect(findings("11010519491231002X", type: .residencePermitHMT) == [.unknownAreaPrefix])
        #expect(findings("931840197809210156", birth: "19780921", gender: .male, type: .foreignPermanentResident2023).isEmpty)
        #expect(findings("CAN310085061217", birth: "19850612", type: .foreignPermanentResident2017) == [.checkCharacterNotVerifiable])
        #expect(findings("CAN310085061217", birth: "19850613", type: .foreignPermanentResident2017).contains(.birthDateMismatch))
        #expect(findings("CAN31008506121", birth: "19850612", type: .foreignPermanentResident2017) == [.malformed])
    }

    @Test(arguments: [
        ("20000229", true), ("19000229", false), ("20230229", false), ("20231131", false), ("2023113", false), ("2023A101", false),
    ])
    func cardDates(text: String, valid: Bool) {
        #expect(CardDate.isValid(text) == valid)
    }
}

@Suite("Captured frames")
struct SAMCaptureTests {
    @Test func describesRequestsAndEachReplyShape() throws {
        let request = try SAMCapture(SAMFrame.decode(bytes("AA AA AA 96 69 00 03 30 01 32")))
        #expect(request.direction == "request")
        #expect(request.command == "read text and photo")

        let noCard = try SAMCapture(SAMFrame.decode(bytes("AA AA AA 96 69 00 04 00 00 80 84")))
        #expect(noCard.outcome == .noCard)
        #expect(noCard.reply == "status-only")

        let samID = try SAMCapture(SAMResponse(status: .ok, data: Array(0..<16)).frame)
        #expect(samID.reply == "sam-id")
        #expect(samID.samID?.hasPrefix("00.02-") == true)

        let address = try SAMCapture(SAMResponse(status: .ok, data: IDCardTextBlock.encodeAdditionalAddress("上海市徐汇区")).frame)
        #expect(address.additionalAddress == "上海市徐汇区")

        var block = HandWrittenBlock()
        block.put("Y", at: 248)
        let record = SAMCardRecord(
            text: block.bytes, photo: [UInt8](repeating: 7, count: 1024), fingerprint: [UInt8](repeating: 1, count: 512))
        let read = try SAMCapture(SAMResponse(status: .ok, data: record.replyData).frame)
        #expect(read.reply == "text-photo-and-fingerprint")
        #expect(read.card?.type == .foreignPermanentResident2023)
        #expect(read.card?.fingerprint?.count == 512)
    }

    @Test func aReadReplyWithBrokenLengthsIsAnError() {
        #expect(throws: SAMProtocolError.self) {
            try SAMCapture(SAMResponse(status: .ok, data: [0x01, 0x00, 0x04, 0x00] + [UInt8](repeating: 0, count: 300)).frame)
        }
    }

    @Test func textOutsideTheBasicPlaneAndBrokenSurrogatesDecode() throws {
        var block = HandWrittenBlock()
        // 𠀀 (U+20000, a rare-name character outside the BMP), é (two UTF-8 bytes), then an unpaired surrogate.
        block.put("𠀀é", at: 0)
        block.bytes[6] = 0x00
        block.bytes[7] = 0xD8
        let card = try IDCardTextBlock.decode(block.bytes)
        #expect(card.name == "𠀀é\u{FFFD}")
    }
}

@Suite("Card data and the log redactor")
struct IDCardRedactionTests {
    @Test func aRememberedCardCannotReachALogLine() throws {
        var block = HandWrittenBlock()
        block.put("林晓明", at: 0)
        block.put("19900307", at: 36)
        block.put("北京市朝阳区建国路88号", at: 52)
        block.put("110105199003071239", at: 122)
        let card = try IDCardTextBlock.decode(block.bytes)
        let redactor = Redactor()
        redactor.remember(card.personalValues)
        let line = redactor.scrub("read for 林晓明 born 19900307 at 北京市朝阳区建国路88号")
        #expect(!line.contains("林晓明"))
        #expect(!line.contains("19900307"))
        #expect(!line.contains("建国路"))
        redactor.forget(card.personalValues)
        #expect(redactor.scrub("林晓明") == "林晓明")
    }
}
