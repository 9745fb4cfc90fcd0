import KioskCatalog
import KioskCore
import KioskFiles
import Testing

@Suite("catalog lint")
struct LintTests {
    /// An expected problem: the file (relative to the fixture), line, column and a piece of the message.
    struct Expected: Sendable, CustomTestStringConvertible {
        var file: String
        var line: Int
        var column: Int
        var message: String
        var testDescription: String { "\(file):\(line):\(column) \(message)" }
    }

    static let cases: [(String, [Expected])] = [
        (
            "unknown-references",
            [
                Expected(
                    file: "bundles/demo.yaml", line: 12, column: 30,
                    message: "unknown field 'applicant.nmae' (did you mean 'applicant.name'?)"),
                Expected(file: "bundles/demo.yaml", line: 13, column: 26, message: "unknown material 'birth_certificate'"),
                Expected(
                    file: "bundles/demo.yaml", line: 21, column: 9, message: "depends on 'third', which is not an item of bundle 'demo'"),
            ]
        ),
        (
            "cycle",
            [
                Expected(file: "bundles/loop.yaml", line: 18, column: 18, message: "dependency cycle: a needs c needs b needs a"),
                Expected(file: "bundles/loop.yaml", line: 30, column: 18, message: "item 'd' depends on itself"),
            ]
        ),
        (
            "bad-values",
            [
                Expected(
                    file: "bundles/values.yaml", line: 6, column: 14, message: "valid_until 2024-12-31 is before valid_from 2025-01-01"),
                Expected(file: "bundles/values.yaml", line: 8, column: 5, message: "missing required key 'department' in item 'licence'"),
                Expected(
                    file: "bundles/values.yaml", line: 10, column: 5,
                    message: "unknown key 'items[0].deparment' (did you mean 'department'?)"),
                Expected(
                    file: "bundles/values.yaml", line: 11, column: 39, message: "'counting' must be working or natural, not 'weekdays'"),
                Expected(file: "bundles/values.yaml", line: 12, column: 28, message: "'days' must be a whole number"),
                Expected(
                    file: "bundles/values.yaml", line: 17, column: 21,
                    message: "promised limit (5 working days) is longer than the legal limit (3 working days)"),
                Expected(file: "bundles/values.yaml", line: 18, column: 18, message: "steps_alone must be at least 1"),
            ]
        ),
        (
            "syntax",
            [
                Expected(file: "bundles/broken.yaml", line: 10, column: 4, message: "not valid YAML")
            ]
        ),
        (
            "dictionaries",
            [
                Expected(file: "fields.yaml", line: 6, column: 10, message: "field 'applicant.name' is already defined at line 2"),
                Expected(file: "fields.yaml", line: 11, column: 11, message: "unknown type 'datetime'"),
                Expected(file: "fields.yaml", line: 12, column: 24, message: "unknown source 'neighbours'"),
                Expected(file: "fields.yaml", line: 13, column: 10, message: "field 'applicant.gender' is an enum but lists no options"),
                Expected(file: "materials.yaml", line: 4, column: 17, message: "'electronic' must be true or false"),
                Expected(file: "materials.yaml", line: 5, column: 5, message: "missing required key 'name' in material 'hukou_booklet'"),
                Expected(file: "materials.yaml", line: 6, column: 5, message: "unknown key 'materials[1].nmae' (did you mean 'name'?)"),
            ]
        ),
    ]

    @Test("every problem of a broken catalog is reported at its line and column, and nothing else", arguments: cases)
    func brokenCatalog(fixture: String, expected: [Expected]) {
        let directory = Paths.fixtures + "/" + fixture
        let problems = CatalogLoader.load(directory: directory).problems
        for expectation in expected {
            let file = directory + "/" + expectation.file
            let match = problems.first {
                $0.location.file == file && $0.location.line == expectation.line
                    && $0.location.column == expectation.column && $0.message.contains(expectation.message)
            }
            #expect(match != nil, "missing \(expectation.testDescription); got:\n\(problems.map(\.description).joined(separator: "\n"))")
        }
        #expect(problems.count == expected.count, "\(problems.map(\.description).joined(separator: "\n"))")
    }

    @Test("the county catalog has no problems")
    func countyCatalog() {
        let loaded = CatalogLoader.load(directory: Paths.catalog)
        #expect(loaded.problems.isEmpty, "\(loaded.problems.map(\.description).joined(separator: "\n"))")
        #expect(loaded.catalog.bundles.count == 21)
    }

    @Test("a missing directory is a problem, not a crash")
    func missingDirectory() {
        let problems = CatalogLoader.load(directory: Paths.fixtures + "/does-not-exist").problems
        #expect(problems.first?.message.contains("not a catalog directory") == true)
    }
}
