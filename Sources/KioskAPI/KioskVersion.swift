/// The version of the kiosk software, reported by `kioskd`, `kioskctl` and the status API.
public enum KioskVersion {
    /// Semantic version of this build.
    public static let current = "0.1.0"
}
