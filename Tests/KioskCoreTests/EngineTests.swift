import KioskCore
import Testing

@Suite("Approval plan and catalog validation")
struct EngineTests {
    static func item(_ id: String, needs: [String] = [], fields: [String] = [], materials: [String] = []) -> ServiceItem {
        ServiceItem(
            id: id, name: id, department: "县人社局", legalLimit: TimeLimit(days: 10, counting: .working),
            promisedLimit: TimeLimit(days: 2, counting: .working), dependsOn: needs, fields: fields, materials: materials)
    }

    static func catalog(_ items: [ServiceItem]) -> Catalog {
        Catalog(
            fields: [
                FieldDefinition(key: "name", label: "姓名", type: .text, sources: [.idCard]),
                FieldDefinition(key: "phone", label: "电话", type: .phone, sources: [.citizen]),
            ],
            materials: [
                MaterialDefinition(id: "card", name: "身份证", electronic: true, deferrable: false, originalRequired: true),
                MaterialDefinition(id: "photo", name: "照片", electronic: false, deferrable: true, originalRequired: false),
                MaterialDefinition(id: "file", name: "档案", electronic: false, deferrable: false, originalRequired: true),
            ],
            bundles: [
                ServiceBundle(
                    id: "x", name: "x", leadDepartment: "县人社局", version: "1", validFrom: CivilDate(dayNumber: 0),
                    items: items)
            ])
    }

    @Test("independent items share a stage; an item waits for everything it needs")
    func stages() throws {
        let items = [
            Self.item("a"), Self.item("b"), Self.item("c", needs: ["a"]), Self.item("d", needs: ["c", "b"]),
            Self.item("e", needs: ["a"]),
        ]
        let plan = try ApprovalPlan.compute(for: items).get()
        #expect(plan.stages == [["a", "b"], ["c", "e"], ["d"]])
    }

    @Test(
        "a cycle is a catalog error naming its items, at the dependency that closes it",
        arguments: [
            ([item("a", needs: ["b"]), item("b", needs: ["a"])], ["a", "b"]),
            ([item("a", needs: ["c"]), item("b", needs: ["a"]), item("c", needs: ["b"]), item("z")], ["a", "b", "c"]),
        ])
    func cycle(items: [ServiceItem], members: [String]) throws {
        let problems = Self.catalog(items).problems()
        let cycle = try #require(problems.first { $0.code == .dependencyCycle })
        for member in members { #expect(cycle.message.contains(member)) }
        #expect(!cycle.message.contains("z"))
        guard case let .itemListEntry(bundle, owner, list, _) = cycle.subject else {
            Issue.record("cycle not located at a dependency: \(cycle.subject)")
            return
        }
        #expect(bundle == "x")
        #expect(list == "depends_on")
        #expect(members.contains(owner))
        #expect(throws: CatalogError.self) {
            try BundleBlueprint(bundle: Self.catalog(items).bundles[0], catalog: Self.catalog(items))
        }
    }

    @Test("dangling and self dependencies and unknown references are reported")
    func danglingAndUnknown() {
        let items = [Self.item("a", needs: ["a", "ghost"], fields: ["name", "nmae"], materials: ["card", "passport"])]
        let codes = Set(Self.catalog(items).problems().map(\.code))
        #expect(codes == [.selfDependency, .danglingDependency, .unknownField, .unknownMaterial])
    }

    @Test("one form, one set of materials, one notice")
    func formAndMaterials() throws {
        let items = [
            Self.item("a", fields: ["name", "phone"], materials: ["card", "photo"]),
            Self.item("b", needs: ["a"], fields: ["phone", "name"], materials: ["card", "file", "photo"]),
        ]
        let catalog = Self.catalog(items)
        let blueprint = try BundleBlueprint(bundle: catalog.bundles[0], catalog: catalog)
        #expect(blueprint.form.map(\.definition.key) == ["name", "phone"])
        #expect(blueprint.form.map(\.source) == [.idCard, .citizen])
        #expect(blueprint.form[1].items == ["a", "b"])
        #expect(blueprint.materials.map(\.disposition) == [.obtainedElectronically, .deferrable, .required])
        #expect(blueprint.materialsToSubmit.map(\.definition.id) == ["photo", "file"])
        let notice = blueprint.notice(have: [])
        #expect(notice.missingRequired.map(\.definition.id) == ["file"])
        #expect(notice.missingDeferrable.map(\.definition.id) == ["photo"])
        #expect(!notice.canBeReceived)
        let pledge = blueprint.notice(have: ["file"])
        #expect(pledge.canBeReceived && pledge.needsPledge)
        #expect(pledge.originalsToShow.map(\.definition.id) == ["file"])
        let kpi = BundleKPI(blueprint)
        #expect(kpi.autoFilledFields == 0.5)
        #expect(kpi.separateMaterials == 5 && kpi.bundleMaterials == 2)
        #expect(abs(kpi.materialReduction - 0.6) < 1e-9)
        #expect(kpi.separateDays == 20 && kpi.bundleDays == 4)
        // Two materials the kiosk cannot take: one more visit, to the window.
        #expect(kpi.stepReduction == 1 - 3.0 / 8.0)
        #expect(BundleKPI(blueprint, materialCapture: true).stepReduction == 1 - 2.0 / 8.0)
        #expect(!kpi.passes)
    }

    @Test("a promise longer than the law and a reversed validity are errors")
    func limits() {
        var bad = Self.item("a")
        bad.promisedLimit = TimeLimit(days: 30, counting: .natural)
        var catalog = Self.catalog([bad])
        catalog.bundles[0].validUntil = CivilDate(dayNumber: -1)
        let codes = catalog.problems().map(\.code)
        #expect(codes.contains(.promiseExceedsLaw))
        #expect(codes.contains(.invalidValidity))
    }

    @Test("the bundle deadline follows the critical path")
    func schedule() throws {
        let arrangement = HolidayArrangement(
            year: 2026, notice: "test",
            daysOff: [
                HolidayArrangement.Period(
                    name: "春节", first: try #require(CivilDate(iso: "2026-02-15")), last: try #require(CivilDate(iso: "2026-02-23")))
            ],
            workingWeekends: [try #require(CivilDate(iso: "2026-02-14"))])
        let calendar = try WorkingDayCalendar(arrangements: [arrangement])
        let items = [Self.item("a"), Self.item("b"), Self.item("c", needs: ["a"])]
        let catalog = Self.catalog(items)
        let blueprint = try BundleBlueprint(bundle: catalog.bundles[0], catalog: catalog)
        let start = try #require(CivilDate(iso: "2026-02-11"))  // Wednesday
        let schedule = blueprint.schedule(from: start, calendar: calendar)
        // a: 12th, 13th → 13th; c: 14th (Saturday worked), then 24th.
        #expect(schedule.items.first { $0.item == "a" }?.promisedDeadline.date == CivilDate(iso: "2026-02-13"))
        #expect(schedule.promisedDeadline.date == CivilDate(iso: "2026-02-24"))
        #expect(schedule.criticalPath == ["a", "c"])
        #expect(!schedule.provisional)
        let stopped = blueprint.schedule(
            from: start, calendar: calendar,
            stops: [
                "a": [
                    ClockStop(
                        first: try #require(CivilDate(iso: "2026-02-12")), last: try #require(CivilDate(iso: "2026-02-12")),
                        reason: .supplement)
                ]
            ])
        #expect(stopped.items.first { $0.item == "a" }?.promisedDeadline.date == CivilDate(iso: "2026-02-14"))
        #expect(stopped.promisedDeadline.date == CivilDate(iso: "2026-02-25"))
    }
}
