import Foundation
import KioskCore
import Testing

@Suite("Situation questions (问答式引导): the one form fits the person")
struct SituationTests {
    static let catalog = Catalog(
        fields: [
            FieldDefinition(key: "applicant.name", label: "姓名", type: .text, sources: [.idCard]),
            FieldDefinition(key: "applicant.id_number", label: "证件号码", type: .idNumber, sources: [.idCard]),
            FieldDefinition(key: "retirement.type", label: "退休类型", type: .enumeration(["正常退休", "提前退休"]), sources: [.citizen]),
            FieldDefinition(key: "special.years", label: "特殊工种年限", type: .number, sources: [.citizen]),
            FieldDefinition(key: "permit.number", label: "居住证号码", type: .text, sources: [.citizen]),
            FieldDefinition(key: "note", label: "备注", type: .text, sources: [.citizen]),
            FieldDefinition(key: "legal_rep.name", label: "法定代表人姓名", type: .text, sources: [.citizen]),
            FieldDefinition(key: "legal_rep.id_number", label: "法定代表人证件号码", type: .idNumber, sources: [.citizen]),
            FieldDefinition(key: "seal.types", label: "印章种类", type: .multipleChoice(["公章", "财务章", "合同章"]), sources: [.citizen]),
        ],
        materials: [
            MaterialDefinition(id: "file", name: "档案", electronic: false, deferrable: true, originalRequired: true),
            MaterialDefinition(id: "proof", name: "特殊工种证明", electronic: false, deferrable: false, originalRequired: true),
            MaterialDefinition(id: "permit", name: "居住证", electronic: false, deferrable: false, originalRequired: true),
        ],
        bundles: [
            ServiceBundle(
                id: "retire", name: "退休一件事", leadDepartment: "县人社局", version: "1", validFrom: CivilDate(dayNumber: 0),
                items: [
                    ServiceItem(
                        id: "pension", name: "养老待遇", department: "县人社局", legalLimit: TimeLimit(days: 20, counting: .working),
                        promisedLimit: TimeLimit(days: 5, counting: .working), dependsOn: ["early"],
                        fields: ["applicant.name", "applicant.id_number", "retirement.type", "permit.number", "note", "seal.types"],
                        materials: ["file", "permit"]),
                    ServiceItem(
                        id: "early", name: "提前退休核准", department: "县人社局", legalLimit: TimeLimit(days: 20, counting: .working),
                        promisedLimit: TimeLimit(days: 10, counting: .working),
                        fields: ["applicant.name", "special.years", "legal_rep.name", "legal_rep.id_number"],
                        materials: ["file", "proof"]),
                ],
                questions: [
                    SituationQuestion(
                        id: "kind", text: "哪种退休？",
                        answers: [.init(id: "normal", label: "正常退休"), .init(id: "early", label: "提前退休")], common: "normal",
                        field: "retirement.type"),
                    SituationQuestion(
                        id: "hukou", text: "户籍？", answers: [.init(id: "local", label: "本地户籍"), .init(id: "permit", label: "持居住证")],
                        common: "local"),
                    SituationQuestion(
                        id: "rep", text: "本人办理？", answers: [.init(id: "self", label: "本人办理"), .init(id: "agent", label: "委托办理")],
                        common: "self"),
                ],
                rules: [
                    SituationRule(when: ["kind": ["normal"]], skipItems: ["early"]),
                    SituationRule(
                        when: ["hukou": ["local"]], skipFields: ["permit.number"], optionalFields: ["note"], skipMaterials: ["permit"]),
                    SituationRule(when: ["rep": ["self"]], fromCard: ["legal_rep.name", "legal_rep.id_number"]),
                ],
                cardTypes: [.residentID])
        ])

    static let card = IDCardData(
        type: .residentID, chineseName: "林晓明", gender: .male, ethnicity: "01", birthDate: "19900307", address: "北京市",
        idNumber: "110105199003071239", validFrom: "20150310", validUntil: .date("20350310"))

    static func blueprint(_ situation: Situation) throws -> BundleBlueprint {
        try BundleBlueprint(bundle: catalog.bundles[0], catalog: catalog, situation: situation)
    }

    @Test("正常退休 asks neither the early-retirement item's fields nor its materials, and says why")
    func rulesLeaveOut() throws {
        let normal = try Self.blueprint(["kind": "normal", "hukou": "local", "rep": "agent"])
        let early = try Self.blueprint(["kind": "early", "hukou": "local", "rep": "agent"])
        #expect(normal.bundle.items.map(\.id) == ["pension"])
        // The item no longer waits for a result nobody applied for.
        #expect(normal.bundle.items[0].dependsOn.isEmpty)
        #expect(!normal.form.contains { $0.definition.key == "special.years" })
        #expect(early.form.contains { $0.definition.key == "special.years" })
        #expect(normal.form.count < early.form.count)
        #expect(!normal.materials.contains { $0.definition.id == "proof" })
        let skipped = Dictionary(uniqueKeysWithValues: normal.skipped.map { ($0.definition.key, $0.reason) })
        #expect(skipped["special.years"] == "正常退休")
        #expect(skipped["permit.number"] == "本地户籍")
        // A local resident has no 居住证: neither the number nor the card is asked for.
        #expect(!normal.materials.contains { $0.definition.id == "permit" })
        #expect(normal.form.first { $0.definition.key == "note" }?.required == false)
        let permit = try Self.blueprint(["kind": "normal", "hukou": "permit", "rep": "agent"])
        #expect(permit.form.contains { $0.definition.key == "permit.number" && $0.required })
    }

    @Test("Every answer is a tap before the card; the notice cannot be passed with a question open")
    func answersBeforeTheCard() throws {
        var session = CitizenSession()
        try session.choose(try BundleBlueprint(bundle: Self.catalog.bundles[0], catalog: Self.catalog))
        let open = #expect(throws: SessionError.self) { try session.acknowledgeNotice() }
        #expect(open?.code == .situationIncomplete)
        #expect(open?.message.contains("哪种退休") == true)
        let wrong = #expect(throws: SessionError.self) { try session.answer("kind", "sometimes", catalog: Self.catalog) }
        #expect(wrong?.code == .unknownQuestion)
        try session.answer("kind", "early", catalog: Self.catalog)
        try session.answer("hukou", "local", catalog: Self.catalog)
        try session.answer("kind", "normal", catalog: Self.catalog)
        try session.answer("rep", "self", catalog: Self.catalog)
        try session.acknowledgeNotice()
        session.cardRead(Self.card)
        #expect(session.step == .form)
        // The answer fills 退休类型: asked once, in the question, and not typed again.
        #expect(session.values["retirement.type"]?.value == "正常退休")
        let field = try #require(session.blueprint?.form.first { $0.definition.key == "retirement.type" })
        #expect(!session.isEditable(field))
        let readOnly = #expect(throws: SessionError.self) { try session.fill(["retirement.type": "提前退休"]) }
        #expect(readOnly?.code == .readOnlyField)
        // Only 印章种类 is required and empty: the note is optional, the rest known.
        #expect(session.missingFields.map(\.definition.key) == ["seal.types"])
        try session.fill(["seal.types": "合同章、公章"])
        #expect(session.values["seal.types"]?.value == "公章、合同章", "kept in the options' order")
        // The optional note may be written and emptied again; a refused fill empties nothing.
        try session.fill(["note": "下午来取"])
        #expect(throws: SessionError.self) { try session.fill(["note": "", "seal.types": "私章"]) }
        #expect(session.values["note"]?.value == "下午来取")
        try session.fill(["note": ""])
        #expect(session.values["note"] == nil)
        try session.confirmForm()
    }

    @Test("The legal representative applying in person is read from the card; a typed name that contradicts the card is refused")
    func identityFromTheCard() throws {
        var session = CitizenSession()
        try session.choose(try Self.blueprint(["kind": "early", "hukou": "local", "rep": "self"]))
        try session.acknowledgeNotice()
        session.cardRead(Self.card)
        #expect(session.values["legal_rep.name"] == SessionFieldValue(value: "林晓明", source: .idCard))
        #expect(session.values["legal_rep.id_number"]?.source == .idCard)

        var agent = CitizenSession()
        try agent.choose(try Self.blueprint(["kind": "early", "hukou": "local", "rep": "agent"]))
        try agent.acknowledgeNotice()
        agent.cardRead(Self.card)
        let contradiction = #expect(throws: SessionError.self) {
            try agent.fill(["legal_rep.name": "王大力", "legal_rep.id_number": Self.card.idNumber])
        }
        #expect(contradiction?.problems.map(\.field) == ["legal_rep.name"])
        #expect(contradiction?.problems.first?.message.contains("请按身份证填写") == true)
        try agent.fill(["legal_rep.name": "王大力", "legal_rep.id_number": "11010519491231002X"])
    }

    @Test("A card the bundle does not accept is not read, and the screen is told what to do instead")
    func cardTypeEligibility() throws {
        var session = CitizenSession()
        try session.choose(try Self.blueprint(["kind": "normal", "hukou": "local", "rep": "self"]))
        try session.acknowledgeNotice()
        let foreign = IDCardData(
            type: .foreignPermanentResident2017, chineseName: "张三", englishName: "ZHANG SAN", gender: .male, birthDate: "19850612",
            idNumber: "CAN310085061217", validFrom: "20170101", validUntil: .date("20270101"))
        session.cardRead(foreign)
        #expect(session.step == .card)
        #expect(session.alert == .cardNotAccepted)
        #expect(session.card == nil && session.values.isEmpty)
        #expect(session.cardRefusal?.contains("须持居民身份证办理") == true)
        #expect(session.cardRefusal?.contains("外国人永久居留身份证") == true)
        session.cardRead(Self.card)
        #expect(session.step == .form && session.cardRefusal == nil && session.alert == nil)
    }

    @Test("The reader answers card-type rules: a foreigner is not asked for what only residents have")
    func cardTypeRules() throws {
        var catalog = Self.catalog
        catalog.bundles[0].cardTypes = []
        catalog.bundles[0].rules.append(
            SituationRule(when: [SituationQuestion.cardType: ["foreign-permanent-resident-2017"]], skipMaterials: ["file"]))
        #expect(catalog.problems().isEmpty)
        let foreign = IDCardData(
            type: .foreignPermanentResident2017, chineseName: "张三", englishName: "ZHANG SAN", gender: .male, birthDate: "19850612",
            idNumber: "CAN310085061217", validFrom: "20170101", validUntil: .date("20270101"))
        for (card, asksFile) in [(Self.card, true), (foreign, false)] {
            var session = CitizenSession()
            try session.choose(
                try BundleBlueprint(
                    bundle: catalog.bundles[0], catalog: catalog, situation: ["kind": "normal", "hukou": "local", "rep": "agent"]))
            try session.acknowledgeNotice()
            session.cardRead(card, catalog: catalog)
            #expect(session.step == .form)
            #expect(session.blueprint?.materials.contains { $0.definition.id == "file" } == asksFile, "\(card.type)")
        }
        var wrong = catalog
        wrong.bundles[0].rules.append(SituationRule(when: [SituationQuestion.cardType: ["passport"]], skipMaterials: ["file"]))
        #expect(wrong.problems().map(\.message).contains { $0.hasPrefix("unknown card type 'passport'") })
    }

    @Test("A deferred material is due before the first item that needs it is promised")
    func dueBeforePromise() throws {
        let blueprint = try Self.blueprint(["kind": "early", "hukou": "permit", "rep": "agent"])
        let calendar = WorkingDayCalendar()
        let start = try #require(CivilDate(iso: "2026-11-30"))
        let due = blueprint.materialDueDates(from: start, calendar: calendar)
        let schedule = blueprint.schedule(from: start, calendar: calendar)
        for requirement in blueprint.materialsToSubmit {
            let date = try #require(due[requirement.definition.id])
            #expect(date >= start)
            for item in schedule.items where requirement.items.contains(item.item) {
                #expect(
                    date < item.promisedDeadline.date,
                    "\(requirement.definition.id) due \(date), \(item.item) promised \(item.promisedDeadline)")
            }
        }
    }
}
