import Foundation
import KioskCatalog
import KioskCore
import KioskFiles
import Testing

@Suite("The catalogue's situation questions")
struct SituationCatalogTests {
    static let loaded = CatalogLoader.load(directory: Paths.catalog)

    static func blueprint(_ bundle: String, _ answers: Situation = [:]) throws -> BundleBlueprint {
        let definition = try #require(loaded.catalog.bundle(bundle))
        return try loaded.blueprint(bundle, situation: definition.commonSituation.merging(answers) { _, new in new })
    }

    static func keys(_ blueprint: BundleBlueprint) -> Set<FieldKey> { Set(blueprint.form.map(\.definition.key)) }

    @Test("The provisioning catalogue, questions and rules included, has no problem")
    func lintClean() {
        #expect(Self.loaded.problems.map(\.description) == [])
    }

    @Test("正常退休 asks neither the 光荣证 number nor the special-job years; 提前退休 asks its own")
    func retirement() throws {
        let normal = try Self.blueprint("retirement")
        let special = try Self.blueprint("retirement", ["retirement_kind": "special_job"])
        #expect(!Self.keys(normal).contains("only_child.certificate_number"))
        #expect(!Self.keys(normal).contains("special_job.years"))
        #expect(Self.keys(special).contains("special_job.years"))
        #expect(normal.form.count < special.form.count)
        let reasons = Dictionary(uniqueKeysWithValues: normal.skipped.map { ($0.definition.key, $0.reason) })
        #expect(reasons["special_job.years"] == "正常退休")
        #expect(reasons["only_child.certificate_number"] == "没有独生子女父母光荣证")
        #expect(!normal.materials.contains { $0.definition.id == "special_job_proof" })
    }

    @Test("Local residents are not asked for a 居住证; a first 残疾人证 has no number; 就医 asks only what applies")
    func residenceAndCertificates() throws {
        for bundle in ["school-enrolment", "public-rental-housing"] {
            let local = try Self.blueprint(bundle)
            let permit = try Self.blueprint(bundle, ["hukou": "permit"])
            #expect(!Self.keys(local).contains("residence_permit.number"), "\(bundle)")
            #expect(!local.materials.contains { $0.definition.id == "residence_permit" }, "\(bundle)")
            #expect(Self.keys(permit).contains("residence_permit.number"), "\(bundle)")
        }
        let new = try Self.blueprint("disability-services", ["hardship": "yes", "severe": "yes"])
        let renew = try Self.blueprint("disability-services", ["certificate_request": "renew", "hardship": "yes"])
        #expect(!Self.keys(new).contains("disability.certificate_number"))
        #expect(Self.keys(renew).contains("disability.certificate_number"))
        let local = Self.keys(try Self.blueprint("medical-reimbursement"))
        #expect(local.isDisjoint(with: ["family.member_name", "medical.destination", "medical.disease"]))
        let chronic = Self.keys(try Self.blueprint("medical-reimbursement", ["care": "chronic"]))
        #expect(chronic.isSuperset(of: ["medical.destination", "medical.disease"]) && !chronic.contains("family.member_name"))
    }

    @Test("Several seals and several changes may be chosen; 企业注销 asks no seal to engrave")
    func multipleChoices() throws {
        let change = try Self.blueprint("enterprise-change", ["new_seals": "yes"])
        #expect(change.form.first { $0.definition.key == "change.items" }?.definition.type.name == "multi_enum")
        #expect(change.form.first { $0.definition.key == "seal.types" }?.definition.type.name == "multi_enum")
        #expect(!Self.keys(try Self.blueprint("enterprise-deregistration")).contains("seal.types"))
        // The representative in person: name and number come from the card.
        let inPerson = try Self.blueprint("enterprise-change")
        #expect(inPerson.fromCard == ["legal_rep.name": "applicant.name", "legal_rep.id_number": "applicant.id_number"])
        #expect(try Self.blueprint("enterprise-change", ["representative": "agent"]).fromCard.isEmpty)
    }

    @Test("Every bundle compiles for every situation, and every deferred material is due before its item's promise")
    func everySituation() throws {
        let calendar = try CalendarLoader.load(directory: Paths.calendar)
        let start = try #require(CivilDate(iso: "2026-11-30"))
        var situations = 0
        for bundle in Self.loaded.catalog.bundles {
            for situation in bundle.allSituations {
                situations += 1
                let blueprint = try BundleBlueprint(bundle: bundle, catalog: Self.loaded.catalog, situation: situation)
                #expect(Self.keys(blueprint).isDisjoint(with: blueprint.skipped.map(\.definition.key)))
                let due = blueprint.materialDueDates(from: start, calendar: calendar)
                let schedule = blueprint.schedule(from: start, calendar: calendar)
                for requirement in blueprint.materialsToSubmit {
                    let date = try #require(due[requirement.definition.id])
                    for item in schedule.items where requirement.items.contains(item.item) {
                        #expect(date < item.promisedDeadline.date, "\(bundle.id) \(requirement.definition.id) \(item.item)")
                    }
                }
            }
        }
        #expect(situations > Self.loaded.catalog.bundles.count)
    }

    @Test("A rule naming an unknown question, answer, item, field or material is a located error")
    func lintRules() throws {
        let bundle = """
            id: demo
            name: "演示"
            lead_department: "县人社局"
            version: 1
            valid_from: 2024-12-02
            items:
              - id: pension
                name: "养老"
                department: "县人社局"
                legal_limit: {days: 20, counting: working}
                promised_limit: {days: 5, counting: working}
                fields: [applicant.name, retirement.type]
                materials: [id_card]
            questions:
              - id: kind
                text: "哪种退休？"
                field: retirement.type
                common: normal
                answers:
                  - {id: normal, label: "正常退休"}
                  - {id: early, label: "提早退休"}
            rules:
              - when: {knd: [normal]}
                skip_items: [pensoin]
              - when: {kind: [late]}
                skip_fields: [applicant.nmae]
                skip_materials: [photo]
            card_types: [passport]

            """
        let (file, problems) = try Self.lint(bundle: bundle)
        for expected in [
            "\(file):17:12: answer 'early' of question 'kind' fills field 'retirement.type' with '提早退休'",
            "\(file):23:12: unknown question 'knd' in bundle 'demo' (did you mean 'kind'?)",
            "\(file):24:18: unknown item 'pensoin' in bundle 'demo' (did you mean 'pension'?)",
            "\(file):25:19: unknown answer 'late' in bundle 'demo'",
            "\(file):26:19: unknown field 'applicant.nmae' in bundle 'demo' (did you mean 'applicant.name'?)",
            "\(file):27:22: unknown material 'photo' in bundle 'demo'",
            "\(file):28:14: unknown card type 'passport'",
        ] {
            #expect(problems.contains { $0.hasPrefix(expected) }, "missing \(expected) in \(problems)")
        }
    }

    @Test("A guardian rule naming an unknown field, or one field as both the card holder's and someone else's, is a located error")
    func lintGuardianRules() throws {
        let bundle = """
            id: demo
            name: "演示"
            lead_department: "县残联"
            version: 1
            valid_from: 2024-12-02
            items:
              - id: certificate
                name: "残疾人证"
                department: "县残联"
                legal_limit: {days: 20, counting: working}
                promised_limit: {days: 10, counting: working}
                fields: [applicant.name, applicant.id_number, guardian.name, guardian.id_number]
                materials: [id_card]
            questions:
              - id: role
                text: "本人办理还是监护人代办？"
                common: self
                answers:
                  - {id: self, label: "本人办理"}
                  - {id: guardian, label: "监护人代为办理"}
            rules:
              - when: {role: [guardian]}
                from_card: [guardian.name, guardian.id_number]
                not_card_holder: [applicant.name, applicant.idnumber, guardian.name]
              - when: {card: [hmt-residence-permit]}
                from_card: [applicant.name]

            """
        let (file, problems) = try Self.lint(bundle: bundle)
        for expected in [
            "\(file):24:39: unknown field 'applicant.idnumber' in bundle 'demo' (did you mean 'applicant.id_number'?)",
            "\(file):24:59: field 'guardian.name' is in both from_card and not_card_holder of one rule",
            "\(file):24:23: field 'applicant.name' is not the card holder's here, but another rule that holds with this one fills it",
        ] {
            #expect(problems.contains { $0.hasPrefix(expected) }, "missing \(expected) in \(problems)")
        }
        #expect(problems.count == 3, "\(problems)")
    }
}

extension SituationCatalogTests {
    /// The problems `catalog lint` finds in `bundle` (a bundle file's YAML) beside the shipped
    /// fields and materials, and the path they are located in. The folder goes afterwards.
    static func lint(bundle: String) throws -> (file: String, problems: [String]) {
        let folder = NSTemporaryDirectory() + "catalog-lint-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder + "/bundles", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for file in ["fields.yaml", "materials.yaml"] {
            try FileManager.default.copyItem(atPath: Paths.catalog + "/" + file, toPath: folder + "/" + file)
        }
        let file = folder + "/bundles/demo.yaml"
        try bundle.write(toFile: file, atomically: true, encoding: .utf8)
        return (file, CatalogLoader.load(directory: folder).problems.map(\.description))
    }
}

@Suite("The catalogue's choice: an item waits for shared data, or the department completes it")
struct SharedDataWaitCatalogTests {
    @Test("The road transport certificate waits for the vehicle's VIN; no other item of the catalogue waits")
    func provisioningWaits() throws {
        let catalog = SituationCatalogTests.loaded.catalog
        let waits = catalog.bundles.flatMap { bundle in
            bundle.items.filter { !$0.waitsForSharedData.isEmpty }.map { "\(bundle.id)/\($0.id): \($0.waitsForSharedData)" }
        }
        #expect(waits == ["transport-company/road_transport_certificate: [\"vehicle.vin\"]"])
    }

    @Test("Waiting for a field the item does not ask, or one the citizen may type, is a located error")
    func lintWaits() throws {
        let bundle = """
            id: demo
            name: "演示"
            lead_department: "县交通运输局"
            version: 1
            valid_from: 2024-12-02
            items:
              - id: certificate
                name: "道路运输证"
                department: "县交通运输局"
                legal_limit: {days: 10, counting: working}
                promised_limit: {days: 1, counting: working}
                fields: [applicant.name, vehicle.plate, vehicle.vin]
                materials: [id_card]
                waits_for_shared_data: [vehicle.vin, vehicle.plate, customs.code, vehicle.vin]

            """
        let (file, problems) = try SituationCatalogTests.lint(bundle: bundle)
        for expected in [
            "\(file):14:42: item 'certificate' cannot wait for 'vehicle.plate'",
            "\(file):14:57: item 'certificate' waits for 'customs.code', which is not one of its fields",
            "\(file):14:71: 'vehicle.vin' is listed twice in waits_for_shared_data",
        ] {
            #expect(problems.contains { $0.hasPrefix(expected) }, "missing \(expected) in \(problems)")
        }
        #expect(problems.count == 3, "\(problems)")
    }
}
