import Crypto
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The key "check my progress" finds a citizen's cases by: an HMAC of the ID number under a
/// key only this kiosk has (`lookup.key`, mode 0600, beside the database).
///
/// It opens nothing: what a citizen gave is sealed to the platform's key (`KioskSeal`), which
/// no kiosk holds. Losing this key only makes earlier cases unfindable by card.
public struct CitizenLookup: Sendable {
    // Raw bytes: SymmetricKey is not Sendable; a key is rebuilt for each use.
    private let lookupKeyBytes: Data
    private var lookupKey: SymmetricKey { SymmetricKey(data: lookupKeyBytes) }

    /// Uses `key` (32 bytes) directly (tests, benchmarks).
    public init(key: SymmetricKey) {
        // The derivation of the former `seal.key` (which also sealed, symmetrically), so that
        // a kiosk upgraded in the field still finds its citizens' earlier cases.
        lookupKeyBytes = HKDF<SHA256>.deriveKey(inputKeyMaterial: key, info: Data("kiosk citizen key".utf8), outputByteCount: 32)
            .withUnsafeBytes { Data($0) }
    }

    /// Loads the key file at `path`, creating it (mode 0600) with a fresh random key if absent.
    /// A `seal.key` left beside it by an earlier version is taken over (renamed).
    public static func loadOrCreate(at path: String) throws(StoreError) -> CitizenLookup {
        let earlier = ((path as NSString).deletingLastPathComponent as NSString).appendingPathComponent("seal.key")
        if !FileManager.default.fileExists(atPath: path), FileManager.default.fileExists(atPath: earlier) {
            guard rename(earlier, path) == 0 else {
                throw StoreError(.io, "cannot take over \(earlier) as \(path): \(String(cString: strerror(errno)))")
            }
        }
        if let data = FileManager.default.contents(atPath: path) {
            guard data.count == 32 else {
                throw StoreError(
                    .corrupt,
                    "the lookup key \(path) is damaged (\(data.count) bytes, expected 32); remove it (earlier cases can then no longer be found by card)"
                )
            }
            return CitizenLookup(key: SymmetricKey(data: data))
        }
        let key = SymmetricKey(size: .bits256)
        let bytes = key.withUnsafeBytes { Data($0) }
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw StoreError(.io, "cannot create the lookup key \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count, fsync(fd) == 0 else {
            unlink(path)
            throw StoreError(.io, "cannot write the lookup key \(path): \(String(cString: strerror(errno)))")
        }
        // The key's directory entry must survive a power cut too.
        let folder = Glibc.open((path as NSString).deletingLastPathComponent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if folder >= 0 {
            fsync(folder)
            close(folder)
        }
        return CitizenLookup(key: key)
    }

    /// The lookup key for an ID number: an HMAC, useless without this kiosk's key.
    public func citizenKey(idNumber: String) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: Data(idNumber.uppercased().utf8), using: lookupKey)
        let digits = Array("0123456789abcdef")
        return String(code.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0x0F)]] })
    }
}
