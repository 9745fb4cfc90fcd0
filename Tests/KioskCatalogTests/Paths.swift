import Foundation

/// Directories of the checkout, found from this file's path so tests run from anywhere.
enum Paths {
    static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()
    static let catalog = root + "/Provisioning/catalog"
    static let calendar = root + "/Provisioning/calendar"
    static let fixtures = root + "/Tests/KioskCatalogTests/Fixtures"
}
