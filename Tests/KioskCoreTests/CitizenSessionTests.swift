import Foundation
import KioskCore
import Testing

@Suite("Citizen session state machine")
struct CitizenSessionTests {
    static let catalog = Catalog(
        fields: [
            FieldDefinition(key: "applicant.name", label: "姓名", type: .text, sources: [.idCard]),
            FieldDefinition(key: "applicant.id_number", label: "身份号码", type: .idNumber, sources: [.idCard]),
            FieldDefinition(key: "applicant.phone", label: "电话", type: .phone, sources: [.earlierApplication, .citizen]),
            FieldDefinition(key: "child.name", label: "新生儿姓名", type: .text, sources: [.citizen]),
            FieldDefinition(key: "child.gender", label: "性别", type: .enumeration(["男", "女"]), sources: [.sharedData]),
        ],
        materials: [
            MaterialDefinition(id: "card", name: "身份证", electronic: true, deferrable: false, originalRequired: true),
            MaterialDefinition(id: "photo", name: "照片", electronic: false, deferrable: true, originalRequired: false),
            MaterialDefinition(id: "file", name: "档案", electronic: false, deferrable: false, originalRequired: true),
        ],
        bundles: [
            ServiceBundle(
                id: "b", name: "测试一件事", leadDepartment: "县卫健委", version: "1", validFrom: CivilDate(dayNumber: 0),
                items: [
                    ServiceItem(
                        id: "i", name: "事项", department: "县卫健委", legalLimit: TimeLimit(days: 5, counting: .working),
                        promisedLimit: TimeLimit(days: 1, counting: .working), dependsOn: [],
                        fields: ["applicant.name", "applicant.id_number", "applicant.phone", "child.name", "child.gender"],
                        materials: ["card", "photo", "file"])
                ])
        ])

    static func card(_ number: String = "110105199003071239", name: String = "林晓明") -> IDCardData {
        IDCardData(
            type: .residentID, chineseName: name, gender: .male, ethnicity: "01", birthDate: "19900307", address: "北京市",
            idNumber: number, validFrom: "20150310", validUntil: .date("20350310"))
    }

    static func started(capture: Bool = false) throws -> CitizenSession {
        var session = CitizenSession()
        try session.choose(BundleBlueprint(bundle: catalog.bundles[0], catalog: catalog), materialCapture: capture)
        try session.acknowledgeNotice()
        return session
    }

    @Test("A complete visit: notice, card, one form, one set of materials with a pledge, review, submit, rating")
    func completeVisit() throws {
        var session = try Self.started()
        #expect(session.step == .card)
        session.cardRead(Self.card(), prefill: ["child.gender": SessionFieldValue(value: "女", source: .sharedData)])
        #expect(session.step == .form)
        #expect(session.values["applicant.name"]?.source == .idCard)
        #expect(session.values["child.gender"]?.value == "女")
        #expect(session.missingFields.map(\.definition.key).sorted() == ["applicant.phone", "child.name"])
        try session.fill(["applicant.phone": "13800138000", "child.name": "林小雨"])
        try session.confirmForm()
        #expect(session.step == .materials)
        #expect(session.materials["card"] == .electronic)
        // The kiosk takes no paper and the file cannot be deferred: it goes to the window, decided.
        #expect(session.materials["file"] == .window)
        try session.choose(.deferred, for: "photo")
        #expect(session.needsPledge)
        #expect(throws: SessionError.self) { try session.confirmMaterials() }
        try session.sign(Data([0x89, 0x50, 0x4E, 0x47]))
        try session.confirmMaterials()
        let submission = try session.submission()
        #expect(submission.idNumber == "110105199003071239")
        #expect(submission.materials == ["card": .electronic, "file": .window, "photo": .deferred])
        try session.submitted(receiptNumber: "410721-20261123-0001-00001-6")
        try session.finishReceipt()
        try session.rate(5)
        #expect(session.rating == 5)
    }

    @Test("Every action is refused outside its step, and a refused action changes nothing")
    func wrongStep() throws {
        var session = CitizenSession()
        #expect(throws: SessionError.self) { try session.fill(["child.name": "x"]) }
        #expect(throws: SessionError.self) { try session.submission() }
        #expect(throws: SessionError.self) { try session.rate(3) }
        #expect(session.step == .attract)
        var started = try Self.started()
        #expect(throws: SessionError.self) { try started.confirmForm() }
        #expect(started.step == .card)
    }

    @Test("Card values are read-only; wrong values are all reported and none is kept")
    func validation() throws {
        var session = try Self.started()
        session.cardRead(Self.card())
        let readOnly = #expect(throws: SessionError.self) { try session.fill(["applicant.name": "别人"]) }
        #expect(readOnly?.code == .readOnlyField)
        let invalid = #expect(throws: SessionError.self) {
            try session.fill(["applicant.phone": "123", "child.name": "   "])
        }
        #expect(invalid?.code == .invalidValue)
        #expect(Set(invalid?.problems.map(\.field) ?? []) == ["applicant.phone", "child.name"])
        let partly = #expect(throws: SessionError.self) { try session.fill(["applicant.phone": "123", "child.name": "林小雨"]) }
        #expect(partly?.problems.map(\.field) == ["applicant.phone"])
        #expect(session.values["child.name"] == nil, "nothing is kept from a refused fill")
        let unknown = #expect(throws: SessionError.self) { try session.fill(["other": "x"]) }
        #expect(unknown?.code == .unknownField)
        let empty = #expect(throws: SessionError.self) { try session.confirmForm() }
        #expect(empty?.code == .incomplete)
    }

    @Test("Without a capture device nothing is received at the kiosk: a material goes to the window or under the pledge")
    func materialRules() throws {
        var session = try Self.started()
        session.cardRead(Self.card())
        try session.fill(["applicant.phone": "13800138000", "child.name": "林小雨"])
        try session.confirmForm()
        #expect(throws: SessionError.self) { try session.choose(.deferred, for: "file") }
        #expect(throws: SessionError.self) { try session.choose(.electronic, for: "photo") }
        let refused = #expect(throws: SessionError.self) { try session.choose(.provided, for: "photo") }
        #expect(refused?.code == .choiceNotAllowed)
        #expect(refused?.message.contains("本机无法收取照片") == true)
        // The only thing to do is choose how the photo comes: the message says so, and only that.
        let missing = #expect(throws: SessionError.self) { try session.confirmMaterials() }
        #expect(missing?.code == .cannotBeReceived)
        #expect(missing?.message.hasPrefix("请为以下材料选择提交方式：照片") == true)
        #expect(missing?.message.contains("档案") == false)
        try session.choose(.window, for: "photo")
        try session.confirmMaterials()
        #expect(!session.needsPledge)
    }

    @Test("A kiosk with a capture device may take a material itself")
    func captureDevice() throws {
        var session = try Self.started(capture: true)
        session.cardRead(Self.card())
        try session.fill(["applicant.phone": "13800138000", "child.name": "林小雨"])
        try session.confirmForm()
        #expect(session.materials["file"] == nil, "two ways in: the citizen chooses")
        try session.choose(.provided, for: "file")
        try session.choose(.provided, for: "photo")
        try session.confirmMaterials()
    }

    @Test("A lifted card pauses the form; the same card resumes it, another person's card clears it")
    func cardRemoval() throws {
        var session = try Self.started()
        session.cardRead(Self.card())
        try session.fill(["child.name": "林小雨"])
        #expect(session.cardRemoved() == false)
        #expect(session.alert == .cardRemoved)
        #expect(session.values["child.name"] != nil)
        session.cardRead(Self.card())
        #expect(session.alert == nil)
        #expect(session.values["child.name"]?.value == "林小雨")
        _ = session.cardRemoved()
        session.cardRead(Self.card("11010519920512002" + "7", name: "陈静怡"))
        #expect(session.alert == .cardChanged)
        #expect(session.values["child.name"] == nil)
        #expect(session.values["applicant.name"]?.value == "陈静怡")
    }

    @Test("Submitting needs the card on the reader")
    func submitNeedsCard() throws {
        var session = try Self.started()
        session.cardRead(Self.card())
        try session.fill(["applicant.phone": "13800138000", "child.name": "林小雨"])
        try session.confirmForm()
        try session.choose(.window, for: "photo")
        try session.confirmMaterials()
        _ = session.cardRemoved()
        let error = #expect(throws: SessionError.self) { try session.submission() }
        #expect(error?.code == .cardMissing)
    }

    @Test("Lifting the card while the progress list is shown ends the session")
    func progressCardLifted() throws {
        var session = CitizenSession()
        try session.checkProgress()
        session.cardRead(Self.card())
        #expect(session.step == .progress)
        #expect(session.cardRemoved() == true)
    }
}

@Suite("Citizen session: leaving nothing behind")
struct CitizenSessionLeavingTests {
    @Test("Going back before the card forgets the card and what was typed; back from the notice ends the visit")
    func backForgets() throws {
        var session = try CitizenSessionTests.started()
        session.cardRead(CitizenSessionTests.card())
        try session.fill(["applicant.phone": "13800138000", "child.name": "林小雨"])
        try session.back()
        #expect(session.step == .notice)
        #expect(session.card == nil)
        #expect(session.values.isEmpty)
        try session.acknowledgeNotice()
        session.cardRead(CitizenSessionTests.card("11010519920512002" + "7", name: "陈静怡"))
        #expect(session.values["applicant.phone"] == nil, "the next person never sees the previous one's typing")
        try session.back()
        try session.back()
        #expect(session.step == .attract)
        #expect(session.isIdle)
        #expect(session.blueprint == nil && session.card == nil)
    }

    @Test("A field only shared data may fill is read-only when it gave it, and left to the department when it did not")
    func sharedOnlyFields() throws {
        var session = try CitizenSessionTests.started()
        session.cardRead(CitizenSessionTests.card(), prefill: ["child.gender": SessionFieldValue(value: "女", source: .sharedData)])
        let refused = #expect(throws: SessionError.self) { try session.fill(["child.gender": "男"]) }
        #expect(refused?.code == .readOnlyField)
        var offline = try CitizenSessionTests.started()
        offline.cardRead(CitizenSessionTests.card())
        // Typed, it would pass for verified data: the department completes it instead.
        let typed = #expect(throws: SessionError.self) { try offline.fill(["child.gender": "男"]) }
        #expect(typed?.message.contains("由部门通过共享数据核实补全") == true)
        #expect(offline.fieldsLeftToDepartment.map(\.definition.key) == ["child.gender"])
        #expect(!offline.missingFields.contains { $0.definition.key == "child.gender" })
    }

    @Test(
        "Offline, an item the catalogue says waits for shared data waits: nothing typed, nothing left to the department, the case goes through"
    )
    func itemWaitsForSharedData() throws {
        var catalog = CitizenSessionTests.catalog
        var bundle = catalog.bundles[0]
        var waiting = bundle.items[0]
        waiting.id = "waits"
        waiting.name = "等数据的事项"
        waiting.waitsForSharedData = ["child.gender"]
        bundle.items.append(waiting)
        catalog.bundles = [bundle]
        var session = CitizenSession()
        try session.choose(BundleBlueprint(bundle: bundle, catalog: catalog), materialCapture: false)
        try session.acknowledgeNotice()
        session.cardRead(CitizenSessionTests.card())
        let gender = try #require(session.blueprint?.form.first { $0.definition.key == "child.gender" })
        #expect(session.waitsFor(gender) && !session.isLeftToDepartment(gender) && !session.isEditable(gender))
        let typed = #expect(throws: SessionError.self) { try session.fill(["child.gender": "男"]) }
        #expect(typed?.message.contains("相关事项将在数据可用后继续办理") == true)
        #expect(session.sharedDataWaits == [SharedDataWait(item: "waits", fields: ["child.gender"])])
        #expect(session.fieldsLeftToDepartment.isEmpty)
        try session.fill(["applicant.phone": "13800138000", "child.name": "林小雨"])
        try session.confirmForm()
        try session.choose(.deferred, for: "photo")
        try session.sign(Data([0x89, 0x50, 0x4E, 0x47]))
        try session.confirmMaterials()
        let submission = try session.submission()
        #expect(submission.sharedDataWaits == [SharedDataWait(item: "waits", fields: ["child.gender"])])
        #expect(submission.leftToDepartment.isEmpty)
        // With the data there, nothing waits.
        var online = CitizenSession()
        try online.choose(BundleBlueprint(bundle: bundle, catalog: catalog), materialCapture: false)
        try online.acknowledgeNotice()
        online.cardRead(CitizenSessionTests.card(), prefill: ["child.gender": SessionFieldValue(value: "女", source: .sharedData)])
        #expect(online.sharedDataWaits.isEmpty)
    }

    @Test("Every field's editable flag is exactly what fill accepts: card values, source-only values, typed values")
    func editableAgreesWithFill() throws {
        var session = try CitizenSessionTests.started()
        session.cardRead(
            CitizenSessionTests.card(),
            prefill: [
                "child.gender": SessionFieldValue(value: "女", source: .sharedData),
                "applicant.phone": SessionFieldValue(value: "13800000000", source: .sharedData),
            ])
        let form = try #require(session.blueprint?.form)
        #expect(form.contains { !session.isEditable($0) } && form.contains { session.isEditable($0) })
        for field in form {
            var attempt = session
            let value = session.values[field.definition.key]?.value ?? "1"
            var refusedAsReadOnly = false
            do { try attempt.fill([field.definition.key: value + "0"]) } catch { refusedAsReadOnly = error.code == .readOnlyField }
            #expect(session.isEditable(field) == !refusedAsReadOnly, "\(field.definition.key)")
        }
    }
}
