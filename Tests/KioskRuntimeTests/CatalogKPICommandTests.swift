import Foundation
import Testing

/// `kioskctl catalog kpi` as a county official reads it.
@Suite("kioskctl catalog kpi")
struct CatalogKPICommandTests {
    @Test("Each bundle by id and Chinese name; the bundles below the 50% auto-fill target named, with their figure")
    func namesAndShortfall() async throws {
        let run = try await Program.run("kioskctl", ["catalog", "kpi", repositoryRoot + "/Provisioning/catalog"])
        #expect(run.status == 0, "\(run.stderr)")
        let restaurant = run.stdout.split(separator: "\n").first { $0.hasPrefix("restaurant ") }
        #expect(restaurant?.hasSuffix("开办餐饮店“一件事”") == true, "\(run.stdout)")
        let footer = run.stdout.split(separator: "\n").last ?? ""
        #expect(footer.contains("below 50%: 开办餐饮店“一件事” (42%)"), "\(footer)")
    }
}
