import Crypto
import Foundation
import _CryptoExtras

/// A technician's PIN as the kiosk keeps it: scrypt over a random salt, never the PIN.
///
/// scrypt rather than PBKDF2: it is memory-hard (32 MiB a try at the standard cost), so a
/// disk taken from a kiosk does not give a six-digit PIN away in seconds on a GPU.
public struct TechnicianPIN: Codable, Sendable, Equatable {
    /// scrypt's parameters, kept beside each hash so that the cost can grow later.
    public struct Cost: Codable, Sendable, Equatable {
        public var n: Int
        public var r: Int
        public var p: Int

        public init(n: Int, r: Int, p: Int) {
            self.n = n
            self.r = r
            self.p = p
        }

        /// 2^15 × 8 × 128 bytes = 32 MiB and some 50–100 ms a try.
        public static let standard = Cost(n: 1 << 15, r: 8, p: 1)
    }

    /// Base64 of 16 random bytes.
    public var salt: String
    /// Base64 of the 32-byte scrypt output.
    public var hash: String
    public var scrypt: Cost

    /// Hashes `pin` with a fresh salt.
    public init(pin: String, cost: Cost = .standard) throws(TrustError) {
        var generator = SystemRandomNumberGenerator()
        let salt = Data((0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
        self.salt = salt.base64EncodedString()
        self.scrypt = cost
        self.hash = try Self.derive(pin, salt: salt, cost: cost).withUnsafeBytes { Data($0) }.base64EncodedString()
    }

    /// Whether `pin` is this PIN (compared in constant time).
    public func matches(_ pin: String) -> Bool {
        guard let salt = Data(base64Encoded: salt), let stored = Data(base64Encoded: hash),
            let derived = try? Self.derive(pin, salt: salt, cost: scrypt)
        else { return false }
        // SymmetricKey's == compares without an early exit.
        return SymmetricKey(data: stored) == derived
    }

    /// What is wrong with `pin` as a new PIN (nil: fine): 6 to 12 digits.
    public static func problem(with pin: String) -> String? {
        guard (6...12).contains(pin.count), pin.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            return "a PIN is 6 to 12 digits (the kiosk's keypad has digits only)"
        }
        return nil
    }

    private static func derive(_ pin: String, salt: Data, cost: Cost) throws(TrustError) -> SymmetricKey {
        do {
            return try KDF.Scrypt.deriveKey(
                from: Data(pin.utf8), salt: salt, outputByteCount: 32, rounds: cost.n, blockSize: cost.r, parallelism: cost.p)
        } catch {
            throw TrustError(.files, "scrypt failed: \(error)")
        }
    }
}
