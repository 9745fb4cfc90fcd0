import Foundation
import KioskAPI
import KioskCatalog
import KioskCore
import KioskDevices
import KioskDocuments
import KioskSeal
import KioskStore
import KioskSyncAPI
import OpenAPIRuntime
import Testing

@testable import KioskSession

@Suite("A guardian applies for the person (监护人代办): who is on the card decides what the card fills")
struct GuardianTests {
    static let catalog = EveryBundleTests.loaded.catalog

    /// Starts 残疾人服务 with the common answers but `role`, and reads the guardian's card.
    static func atForm(_ role: String, rig: SessionRig) async throws -> (token: String, view: SessionView) {
        let token = try #require(try await rig.controller.start(bundle: "disability-services").token)
        let bundle = try #require(catalog.bundle("disability-services"))
        for question in bundle.questions {
            _ = try await rig.controller.perform(
                .answer(question.id, question.id == "applicant_role" ? role : question.common), token: token)
        }
        _ = try await rig.controller.perform(.acknowledgeNotice, token: token)
        _ = try await rig.expectChange("card-read") { rig.bus.publish(IDCardRead(device: "idcard", card: SessionRig.card)) }
        return (token, try await rig.controller.current(token: token))
    }

    @Test("The guardian's name and number come from the card, the person's are typed and never the guardian's own number")
    func guardianApplies() async throws {
        let rig = try SessionRig(wall: EveryBundleTests.monday, catalog: Self.catalog)
        let (token, view) = try await Self.atForm("guardian", rig: rig)
        let form = try #require(view.form)
        func field(_ key: String) throws -> SessionView.Field { try #require(form.first { $0.key == key }, "\(key)") }
        // The card holder is the guardian, and the screen says so.
        #expect(view.onBehalf == true && view.applicant == "林*明")
        #expect(try field("guardian.name").value == SessionRig.card.name)
        #expect(try field("guardian.name").source == "id_card" && !(try field("guardian.name").editable))
        #expect(try field("guardian.id_number").source == "id_card")
        // The person applied for is someone else: typed, with nothing of the guardian's in it.
        for key in ["applicant.name", "applicant.id_number", "applicant.hukou_address", "disability.category", "disability.level"] {
            #expect(try field(key).value == nil && field(key).editable && field(key).asked, "\(key)")
        }
        #expect(try field("guardian.relation").asked)
        #expect(view.materials?.contains { $0.id == "guardianship_proof" } == true)

        // The guardian's own number as the person's is refused, saying what to do.
        let typed = [
            "applicant.name": "林小军", "applicant.hukou_address": "河南省新乡市红旗区", "applicant.phone": "13800138000",
            "delivery.method": "窗口领取", "disability.category": "智力", "disability.level": "二级", "guardian.relation": "父母",
        ]
        let refused = await #expect(throws: SessionFailure.self) {
            try await rig.controller.perform(
                .fill(typed.merging(["applicant.id_number": SessionRig.card.idNumber]) { _, new in new }), token: token)
        }
        #expect(refused?.problems.map(\.field) == ["applicant.id_number"])
        #expect(refused?.problems.first?.message.contains("请填写被代办人的证件号码") == true)
        let person = "410702201203150016"
        var filled = try await rig.controller.perform(
            .fill(typed.merging(["applicant.id_number": person]) { _, new in new }), token: token)
        let typedNumber = filled.form?.first { $0.key == "applicant.id_number" }
        #expect(typedNumber?.value == person && typedNumber?.source == "citizen")
        // The person's typed name never reaches a log, like the card holder's.
        #expect(rig.redactor.scrub("申请人 林小军 户籍 河南省新乡市红旗区") == "申请人 \(Redactor.mask) 户籍 \(Redactor.mask)")
        filled = try await rig.controller.perform(.confirmForm, token: token)
        #expect(filled.step == .materials)
        for material in filled.materials ?? [] where material.choice == nil {
            filled = try await rig.controller.perform(.material(material.id, material.allowed[0]), token: token)
        }
        if filled.needsPledge == true { _ = try await rig.controller.perform(.sign(EveryBundleTests.signature), token: token) }
        _ = try await rig.controller.perform(.confirmMaterials, token: token)
        #expect(try await rig.controller.perform(.submit, token: token).step == .receipt)
        // The receipt names the application's applicant, the person, masked.
        guard case let .receipt(receipt)? = await rig.controller.submittedCase?.document else {
            Issue.record("no receipt document")
            return
        }
        #expect(receipt.header.applicant == "林*军")
        // And the guardian who applied, who will come back with this receipt.
        #expect(receipt.header.agent == "林*明")

        // What the department opens names both: the person typed, the guardian read from the card.
        let pending = try #require(try await rig.store.pendingCases(limit: 1).first)
        let upload = try KioskJSON.decoder().decode(Components.Schemas.CaseUpload.self, from: pending.payload)
        let opened = try SealingKeyring(current: SessionRig.platformKey).open(Data(upload.sealedApplication.data), context: pending.caseID)
        let application = try JSONDecoder().decode(SealedApplication.self, from: opened)
        #expect(application.values["applicant.name"] == SessionFieldValue(value: "林小军", source: .citizen))
        #expect(application.values["applicant.id_number"]?.value == person)
        #expect(application.values["guardian.name"] == SessionFieldValue(value: SessionRig.card.name, source: .idCard))
        #expect(application.values["guardian.id_number"] == SessionFieldValue(value: SessionRig.card.idNumber, source: .idCard))
    }

    @Test("Applying in person: the card is the applicant's, and nothing about a guardian is asked")
    func personApplies() async throws {
        let rig = try SessionRig(wall: EveryBundleTests.monday, catalog: Self.catalog)
        let (_, view) = try await Self.atForm("self", rig: rig)
        let form = try #require(view.form)
        #expect(form.first { $0.key == "applicant.name" }?.value == SessionRig.card.name)
        #expect(form.first { $0.key == "applicant.name" }?.editable == false)
        #expect(!form.contains { $0.key.hasPrefix("guardian.") })
        #expect(view.onBehalf == nil)
        #expect(view.skipped?.contains { $0.key == "guardian.relation" && $0.reason == "本人办理" } == true)
        #expect(view.materials?.contains { $0.id == "guardianship_proof" } == false)
    }

    @Test("The guardian's records are not even asked for the person's fields (data minimisation)")
    func guardianRecordsNotAsked() async throws {
        let lookup = RecordingLookup()
        let rig = try SessionRig(wall: EveryBundleTests.monday, catalog: Self.catalog, prefill: lookup)
        _ = try await Self.atForm("guardian", rig: rig)
        let asked = await lookup.asked
        #expect(!asked.isEmpty, "the contact may still come from the guardian's records")
        #expect(
            asked.isDisjoint(with: ["disability.category", "disability.level", "disability.certificate_number", "applicant.bank_account"]))
        let own = RecordingLookup()
        let ownRig = try SessionRig(wall: EveryBundleTests.monday, catalog: Self.catalog, prefill: own)
        _ = try await Self.atForm("self", rig: ownRig)
        #expect(await own.asked.contains("disability.category"), "in person, the card holder's own records are asked")
    }

    /// A prefill source that answers nothing and remembers which fields it was asked for.
    actor RecordingLookup: PrefillSourceLookup {
        private(set) var asked: Set<FieldKey> = []
        func values(forIDNumber idNumber: String, fields: Set<FieldKey>) async -> [FieldKey: SessionFieldValue] {
            asked.formUnion(fields)
            return [:]
        }
    }

    @Test("Shared data and earlier applications found for the card holder never fill the person's fields")
    func guardianRecordsStayOut() throws {
        let bundle = try #require(Self.catalog.bundle("disability-services"))
        let situation = bundle.commonSituation.merging(["applicant_role": "guardian"]) { _, new in new }
        var session = CitizenSession()
        try session.choose(try BundleBlueprint(bundle: bundle, catalog: Self.catalog, situation: situation))
        try session.acknowledgeNotice()
        // What the platform knows of the card holder: the guardian's own disability, their phone.
        session.cardRead(
            SessionRig.card,
            prefill: [
                "disability.category": SessionFieldValue(value: "肢体", source: .sharedData),
                "disability.level": SessionFieldValue(value: "四级", source: .sharedData),
                "applicant.phone": SessionFieldValue(value: "13900139000", source: .earlierApplication),
            ])
        #expect(session.values["disability.category"] == nil && session.values["disability.level"] == nil)
        // The same records do fill them when the card holder applies in person.
        var own = CitizenSession()
        try own.choose(try BundleBlueprint(bundle: bundle, catalog: Self.catalog, situation: bundle.commonSituation))
        try own.acknowledgeNotice()
        own.cardRead(SessionRig.card, prefill: ["disability.category": SessionFieldValue(value: "肢体", source: .sharedData)])
        #expect(own.values["disability.category"]?.value == "肢体")
        // The contact is the guardian's, who came to the kiosk.
        #expect(session.values["applicant.phone"]?.value == "13900139000")
        #expect(session.values["guardian.name"]?.source == .idCard)
    }

    @Test(
        "Every bundle a guardian may apply in reads the guardian from the card and types the person",
        arguments: ["disability-services", "social-security-card-services"])
    func guardianBundles(id: String) throws {
        let bundle = try #require(Self.catalog.bundle(id))
        let guardian = try BundleBlueprint(
            bundle: bundle, catalog: Self.catalog,
            situation: bundle.commonSituation.merging(["applicant_role": "guardian"]) { _, new in new })
        #expect(guardian.fromCard == ["guardian.name": "applicant.name", "guardian.id_number": "applicant.id_number"])
        #expect(guardian.notCardHolder.isSuperset(of: ["applicant.name", "applicant.id_number"]))
        #expect(guardian.materials.contains { $0.definition.id == "guardianship_proof" })
        let own = try BundleBlueprint(bundle: bundle, catalog: Self.catalog, situation: bundle.commonSituation)
        #expect(own.notCardHolder.isEmpty && own.fromCard.isEmpty)
        #expect(!own.form.contains { $0.definition.key.hasPrefix("guardian.") })
    }
}
