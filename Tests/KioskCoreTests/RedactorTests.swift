import Testing

@testable import KioskCore

@Suite("Redactor keeps personal data out of log lines")
struct RedactorTests {
    let redactor = Redactor()

    @Test(
        "ID numbers and phone numbers are masked wherever they appear",
        arguments: [
            ("card 11010519491231002X read", "card [redacted] read"),
            ("id=110105194912310021,", "id=[redacted],"),
            ("old card 110105491231002 seen", "old card [redacted] seen"),
            ("call 13912345678 now", "call [redacted] now"),
        ])
    func patterns(input: String, expected: String) {
        #expect(redactor.scrub(input) == expected)
    }

    @Test(
        "Ordinary numbers are left alone",
        arguments: ["receipt 20261123-0001", "port 8080", "case 0193a7c2-1111-7000-8000-000000000001", "serial ABC11010519491231002X"])
    func ordinaryNumbers(input: String) {
        #expect(redactor.scrub(input) == input)
    }

    @Test("A name from an open session is masked until the session ends")
    func liveValues() {
        redactor.remember(["张三丰", "北京市东城区某某胡同1号"])
        #expect(redactor.scrub("hello 张三丰 at 北京市东城区某某胡同1号") == "hello [redacted] at [redacted]")
        redactor.forget(["张三丰", "北京市东城区某某胡同1号"])
        #expect(redactor.scrub("hello 张三丰") == "hello 张三丰")
    }

    @Test("Personal metadata keys are recognised, also as the last part of a dotted key")
    func keys() {
        #expect(redactor.isPersonalKey("name"))
        #expect(redactor.isPersonalKey("citizen.id_number"))
        #expect(redactor.isPersonalKey("Address"))
        #expect(!redactor.isPersonalKey("device"))
        #expect(!redactor.isPersonalKey("case.receipt"))
    }
}
