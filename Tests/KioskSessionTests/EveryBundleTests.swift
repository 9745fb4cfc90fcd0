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

/// The outside run kept as a test: a citizen who knows nothing but the screen completes every
/// bundle of the provisioning catalogue, for every situation, from the view alone.
@Suite("Every bundle, every situation, from the view alone", .timeLimit(.minutes(5)))
struct EveryBundleTests {
    static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()
    static let loaded = CatalogLoader.load(directory: root + "/Provisioning/catalog")

    /// 2026-11-30 10:00 in Beijing, a Monday.
    static let monday = Date(timeIntervalSince1970: 1_796_004_000)

    /// A value a citizen would type for a field of this type, from the view's type name alone.
    static func value(for field: SessionView.Field) -> String {
        switch field.type {
        case "number": "3"
        case "date": "2026-11-20"
        case "phone": "13800138000"
        // Someone else's number: a father, a student, a family member.
        case "id_number": "11010519491231002X"
        case "social_security_number": SessionRig.card.idNumber
        case "credit_code": "91350100M000100Y43"
        case "vin": "1M8GDM9AXKP042788"
        case "person_name": "林小雨"
        case "enum": field.options?.first ?? ""
        case "multi_enum": (field.options ?? []).prefix(2).joined(separator: "、")
        default: "新乡县测试路1号"
        }
    }

    struct Outcome {
        var asked: Int
        var taps: Int
        var view: SessionView
        var blueprint: BundleBlueprint
        var document: KioskDocument?
        var form: [SessionView.Field]
    }

    /// One visit: answers, notice, card, every field the view asks, every material the view
    /// leaves open, pledge, review, submit. Counts the fields asked and the taps.
    static func visit(_ bundle: ServiceBundle, _ situation: Situation, rig: SessionRig) async throws -> Outcome {
        let controller = rig.controller
        var view = try await controller.start(bundle: bundle.id)
        let token = try #require(view.token)
        var taps = 1
        for question in view.questions ?? [] {
            view = try await controller.perform(.answer(question.id, try #require(situation[question.id])), token: token)
            taps += 1
        }
        view = try await controller.perform(.acknowledgeNotice, token: token)
        taps += 1
        _ = try await rig.expectChange("card-read") { rig.bus.publish(IDCardRead(device: "idcard", card: SessionRig.card)) }
        view = try await controller.current(token: token)
        #expect(view.step == .form, "\(bundle.id) \(situation)")
        let form = try #require(view.form)
        let skipped = Set((view.skipped ?? []).map(\.key))
        // No field the situation leaves out is on the form, let alone required.
        #expect(Set(form.map(\.key)).isDisjoint(with: skipped), "\(bundle.id)")
        let asked = form.filter { $0.asked && $0.editable }
        // What only shared data may give is never typed: the department completes it.
        #expect(form.filter { $0.source == "department" }.allSatisfy { !$0.editable && !$0.asked })
        var values: [FieldKey: String] = [:]
        for field in asked where field.required { values[field.key] = value(for: field) }
        // A field the view says is not editable is refused by the server, and one it says is, taken.
        for field in form where !field.editable {
            await #expect(throws: SessionFailure.self) { try await controller.perform(.fill([field.key: "x"]), token: token) }
        }
        taps += values.count
        if !values.isEmpty {
            let filled = try await controller.perform(.fill(values), token: token)
            #expect(filled.step == .form)
        }
        view = try await controller.perform(.confirmForm, token: token)
        taps += 1
        #expect(view.step == .materials, "\(bundle.id) \(situation)")
        for material in view.materials ?? [] where material.choice == nil {
            // Nothing physical can be taken here: the view never offers it.
            #expect(!material.allowed.contains(.provided))
            view = try await controller.perform(.material(material.id, material.allowed[0]), token: token)
            taps += 1
        }
        if view.needsPledge == true {
            view = try await controller.perform(.sign(signature), token: token)
            taps += 1
        }
        view = try await controller.perform(.confirmMaterials, token: token)
        taps += 1
        #expect(view.step == .review)
        view = try await controller.perform(.submit, token: token)
        taps += 1
        #expect(view.step == .receipt)
        let blueprint = try BundleBlueprint(bundle: bundle, catalog: loaded.catalog, situation: situation)
        let document = await controller.submittedCase?.document
        _ = try await controller.perform(.startOver, token: token)
        return Outcome(asked: values.count, taps: taps, view: view, blueprint: blueprint, document: document, form: form)
    }

    static let signature = Data(
        base64Encoded: "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAAAgABSK+kcQAAAABJRU5ErkJggg==")!

    @Test("Each bundle reaches a receipt in every situation: nothing claimed received, every due date before its item's promise")
    func everyBundle() async throws {
        #expect(Self.loaded.problems.isEmpty)
        let calendar = try CalendarLoader.load(directory: Self.root + "/Provisioning/calendar")
        var report: [String] = []
        for bundle in Self.loaded.catalog.bundles {
            for situation in bundle.allSituations {
                // A first-time applicant each time: nothing to reuse from earlier applications.
                let rig = try SessionRig(wall: Self.monday, catalog: Self.loaded.catalog, calendar: calendar)
                let outcome = try await Self.visit(bundle, situation, rig: rig)
                // The platform is told the items this situation applies for, and no other: none
                // an answer left out, every other one.
                let pending = try #require(try await rig.store.pendingCases(limit: 1).first)
                let upload = try KioskJSON.decoder().decode(Components.Schemas.CaseUpload.self, from: pending.payload)
                let left = Set(bundle.rules.filter { $0.applies(to: situation) }.flatMap(\.skipItems))
                #expect(Set(upload.items ?? []) == Set(bundle.items.map(\.id)).subtracting(left), "\(bundle.id) \(situation)")
                // Nothing the citizen gave or the card held is in the database or its WAL in the
                // clear: it is sealed to the platform's key (UTF-8 and UTF-16 both looked for).
                let stored = rig.databaseBytes()
                for value in [
                    SessionRig.card.name, SessionRig.card.idNumber, SessionRig.card.address ?? "", "13800138000", "11010519491231002X",
                    "新乡县测试路1号",
                ] where !value.isEmpty {
                    let utf16 = value.utf16.reduce(into: Data()) { $0.append(contentsOf: [UInt8($1 & 0xFF), UInt8($1 >> 8)]) }
                    #expect(stored.range(of: Data(value.utf8)) == nil && stored.range(of: utf16) == nil, "\(bundle.id): '\(value)' stored")
                }
                let receipt = try #require(outcome.view.receipt)
                guard case let .receipt(document)? = outcome.document else {
                    Issue.record("\(bundle.id): no receipt document")
                    continue
                }
                // The kiosk has no scanner, camera or deposit box: nothing is received here.
                #expect(document.materials.received.isEmpty, "\(bundle.id) \(document.materials.received.map(\.name))")
                let shown = Dictionary(receipt.items.map { ($0.name, $0) }) { first, _ in first }
                for material in outcome.view.materials ?? [] where material.choice == .deferred || material.choice == .window {
                    let due = try #require(material.dueBy, "\(bundle.id) \(material.id) has no due date on screen")
                    if material.choice == .window { #expect(material.place?.isEmpty == false) }
                    let requirement = try #require(outcome.blueprint.materials.first { $0.definition.id == material.id })
                    for item in outcome.blueprint.bundle.items where requirement.items.contains(item.id) {
                        let receiptItem = try #require(shown[item.name])
                        // An item waiting for shared data promises no date yet.
                        guard let by = receiptItem.promisedBy else {
                            #expect(receiptItem.waitsFor != nil, "\(bundle.id): \(item.id) has no promised date")
                            continue
                        }
                        #expect(due < by, "\(bundle.id): \(material.id) due \(due), \(item.id) promised \(by)")
                    }
                }
                let leftToDepartment = outcome.form.filter { $0.source == "department" }.map(\.label)
                #expect(document.departmentFields.map(\.name) == leftToDepartment, "\(bundle.id)")
                // Offline, what an item cannot go without is waited for, on screen and on paper alike.
                let awaited = outcome.form.filter { $0.source == "waiting" }
                #expect(awaited.allSatisfy { !$0.editable && !$0.asked }, "\(bundle.id)")
                #expect(Set(receipt.items.flatMap { $0.waitsFor ?? [] }) == Set(awaited.map(\.label)), "\(bundle.id)")
                #expect(
                    document.waitingItems.map(\.name) == receipt.items.filter { $0.waitsFor != nil }.map(\.name), "\(bundle.id)")
                let waits = outcome.blueprint.bundle.items.contains { !$0.waitsForSharedData.isEmpty }
                #expect(awaited.isEmpty == !waits, "\(bundle.id)")
                let listed = document.materials.deferred.map(\.name) + document.materials.window.map(\.name)
                #expect(Set(listed) == Set((outcome.view.materials ?? []).filter { $0.dueBy != nil }.map(\.name)))
                if situation == bundle.commonSituation {
                    report.append("\(bundle.id): \(outcome.asked) fields asked, \(outcome.taps) taps")
                }
            }
        }
        print(report.joined(separator: "\n"))
    }

    @Test("Offline, the road transport certificate waits for the vehicle's VIN: told on screen and receipt, sent to the department")
    func certificateWaitsForVIN() async throws {
        let calendar = try CalendarLoader.load(directory: Self.root + "/Provisioning/calendar")
        let rig = try SessionRig(wall: Self.monday, catalog: Self.loaded.catalog, calendar: calendar)
        let bundle = try #require(Self.loaded.catalog.bundle("transport-company"))
        let outcome = try await Self.visit(bundle, bundle.commonSituation, rig: rig)
        let vin = try #require(outcome.form.first { $0.key == "vehicle.vin" })
        #expect(vin.source == "waiting" && !vin.editable && !vin.asked && vin.value == nil)
        let receipt = try #require(outcome.view.receipt)
        let certificate = try #require(receipt.items.first { $0.name.contains("《道路运输证》") })
        #expect(certificate.waitsFor == ["车辆识别代号"])
        #expect(certificate.promisedBy == nil)
        // The other items keep their promise.
        #expect(receipt.items.filter { $0 != certificate }.allSatisfy { $0.promisedBy != nil && $0.waitsFor == nil })
        guard case let .receipt(document)? = outcome.document else {
            Issue.record("no receipt document")
            return
        }
        #expect(document.waitingItems == [WaitingItem(name: certificate.name, fields: "车辆识别代号")])
        #expect(document.departmentFields.isEmpty)
        // The case went through; what the platform opens says which item waits for which field.
        let pending = try #require(try await rig.store.pendingCases(limit: 1).first)
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let upload = try decoder.decode(Components.Schemas.CaseUpload.self, from: pending.payload)
        #expect(upload.items?.contains("road_transport_certificate") == true, "a waiting item is still applied for")
        let opened = try SealingKeyring(current: SessionRig.platformKey).open(Data(upload.sealedApplication.data), context: pending.caseID)
        let application = try JSONDecoder().decode(SealedApplication.self, from: opened)
        #expect(application.sharedDataWaits == [SharedDataWait(item: "road_transport_certificate", fields: ["vehicle.vin"])])
        #expect(application.values["vehicle.vin"] == nil)
    }

    @Test("A Hong Kong resident retires with their residence permit: no household booklet or check, their numbers from the permit")
    func permitHolderRetires() async throws {
        let rig = try SessionRig(wall: Self.monday, catalog: Self.loaded.catalog)
        let token = try #require(try await rig.controller.start(bundle: "retirement").token)
        _ = try await rig.controller.perform(.answer("retirement_kind", "normal"), token: token)
        _ = try await rig.controller.perform(.answer("only_child", "no"), token: token)
        let notice = try await rig.controller.perform(.acknowledgeNotice, token: token)
        #expect(notice.materials?.contains { $0.id == "hukou_booklet" } == true, "a resident would need it")
        let permit = IDCardData(
            type: .residencePermitHMT, chineseName: "陈嘉怡", gender: .female, birthDate: "19940823", address: "广东省深圳市",
            idNumber: "810000199408230021", validFrom: "20200101", validUntil: .date("20250101"))
        _ = try await rig.expectChange("card-read") { rig.bus.publish(IDCardRead(device: "idcard", card: permit)) }
        let view = try await rig.controller.current(token: token)
        #expect(view.step == .form)
        #expect(view.materials?.contains { $0.id == "hukou_booklet" || $0.id == "id_card" } == false, "no 居民户口簿, no 居民身份证")
        #expect(view.skipped?.contains { $0.key == "applicant.hukou_address" && $0.reason == "持港澳台居民居住证" } == true)
        // A permit holder's social security number is the permit's number, shown masked.
        let number = view.form?.first { $0.key == "applicant.insurance_number" }
        #expect(number?.source == "id_card" && number?.value == "810000********0021")
        let field = try #require(view.form?.first { $0.key == "applicant.id_number" })
        #expect(field.label == "申请人证件号码" && field.value == "810000********0021")
    }

    @Test("A card a bundle does not accept is refused before the form, with what to do instead")
    func foreignCardForNewborn() async throws {
        let rig = try SessionRig(wall: Self.monday, catalog: Self.loaded.catalog)
        let token = try #require(try await rig.controller.start(bundle: "newborn").token)
        _ = try await rig.controller.perform(.answer("parent", "father"), token: token)
        let notice = try await rig.controller.perform(.acknowledgeNotice, token: token)
        // Said before the card: only a resident ID card may apply.
        #expect(notice.bundle?.cardTypes == ["居民身份证"])
        let foreign = IDCardData(
            type: .foreignPermanentResident2017, chineseName: "张三", englishName: "ZHANG SAN", gender: .male, birthDate: "19850612",
            idNumber: "CAN310085061217", validFrom: "20170101", validUntil: .date("20270101"))
        _ = try await rig.expectChange("card-read") { rig.bus.publish(IDCardRead(device: "idcard", card: foreign)) }
        let view = try await rig.controller.current(token: token)
        #expect(view.step == .card)
        #expect(view.alert == "card-not-accepted")
        #expect(view.cardRefusal?.contains("请到") == true)
        #expect(view.form == nil)
    }
}
