import Foundation

/// The site a kiosk is provisioned for, in `kioskctl status` and the status API.
public struct SiteStatus: Codable, Sendable, Equatable {
    /// The kiosk's name on its site (`kiosk.site`).
    public var name: String?
    public var location: String?
    /// The applied site profile (`site.yaml` beside kiosk.yaml); `nil`: kiosk.yaml alone.
    public var siteProfile: String?
    /// Each day as `monday: 08:30-12:00, 14:00-17:30`; `nil`: no hours stated (always open).
    public var openingHours: [String]?
    /// Whether the hall is open now by those hours.
    public var openNow: Bool

    public init(name: String?, location: String?, siteProfile: String?, openingHours: [String]?, openNow: Bool) {
        self.name = name
        self.location = location
        self.siteProfile = siteProfile
        self.openingHours = openingHours
        self.openNow = openNow
    }
}
