import Crypto
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Seals a case's personal data (form values, signature) before it reaches the database, and
/// derives the key "check my progress" finds a citizen's cases by.
///
/// The 256-bit key lives in its own file (mode 0600) beside the database, so that a copied
/// database alone reveals nobody; losing the key makes the sealed data unreadable, never the
/// cases themselves (their numbers, items and states stay in the clear).
public struct CaseSeal: Sendable {
    // Raw bytes: SymmetricKey is not Sendable; a key is rebuilt for each use.
    private let sealKeyBytes: Data
    private let lookupKeyBytes: Data
    private var sealKey: SymmetricKey { SymmetricKey(data: sealKeyBytes) }
    private var lookupKey: SymmetricKey { SymmetricKey(data: lookupKeyBytes) }

    /// Uses `key` (32 bytes) directly (tests, benchmarks).
    public init(key: SymmetricKey) {
        // Separate subkeys: a lookup hash must never help to open a sealed box.
        sealKeyBytes = HKDF<SHA256>.deriveKey(inputKeyMaterial: key, info: Data("kiosk case seal".utf8), outputByteCount: 32)
            .withUnsafeBytes { Data($0) }
        lookupKeyBytes = HKDF<SHA256>.deriveKey(inputKeyMaterial: key, info: Data("kiosk citizen key".utf8), outputByteCount: 32)
            .withUnsafeBytes { Data($0) }
    }

    /// Loads the key file at `path`, creating it (mode 0600) with a fresh random key if absent
    /// and `mayCreate` (no case is sealed yet: a new key would orphan every sealed case).
    public static func loadOrCreate(at path: String, mayCreate: Bool = true) throws(StoreError) -> CaseSeal {
        if let data = FileManager.default.contents(atPath: path) {
            guard data.count == 32 else {
                throw StoreError(
                    .corrupt, "the seal key \(path) is damaged (\(data.count) bytes, expected 32); restore it from the enrolment backup")
            }
            return CaseSeal(key: SymmetricKey(data: data))
        }
        guard mayCreate else {
            throw StoreError(
                .corrupt,
                "the seal key \(path) is missing but the database holds sealed cases; restore seal.key from the enrolment backup (a new key would make their personal data unreadable)"
            )
        }
        let key = SymmetricKey(size: .bits256)
        let bytes = key.withUnsafeBytes { Data($0) }
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw StoreError(.io, "cannot create the seal key \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count, fsync(fd) == 0 else {
            unlink(path)
            throw StoreError(.io, "cannot write the seal key \(path): \(String(cString: strerror(errno)))")
        }
        // The key's directory entry must survive a power cut too.
        let folder = Glibc.open((path as NSString).deletingLastPathComponent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if folder >= 0 {
            fsync(folder)
            close(folder)
        }
        return CaseSeal(key: key)
    }

    /// Encrypts and authenticates `plain` (ChaCha20-Poly1305, random nonce, nonce‖ciphertext‖tag).
    public func seal(_ plain: Data) throws -> Data {
        try ChaChaPoly.seal(plain, using: sealKey).combined
    }

    /// Decrypts what ``seal(_:)`` produced; throws if it was altered or sealed with another key.
    public func unseal(_ sealed: Data) throws -> Data {
        try ChaChaPoly.open(ChaChaPoly.SealedBox(combined: sealed), using: sealKey)
    }

    /// The lookup key for an ID number: an HMAC, useless without this kiosk's key.
    public func citizenKey(idNumber: String) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: Data(idNumber.uppercased().utf8), using: lookupKey)
        let digits = Array("0123456789abcdef")
        return String(code.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0x0F)]] })
    }
}
