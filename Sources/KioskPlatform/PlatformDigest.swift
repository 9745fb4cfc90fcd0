import Crypto
import Foundation

/// SHA-256 in the contract's form: 64 lowercase hex digits.
enum PlatformDigest {
    static func sha256Hex(_ data: Data) -> String { hex(SHA256.hash(data: data)) }

    static func hex(_ digest: SHA256.Digest) -> String { digest.map { String(format: "%02x", $0) }.joined() }
}
