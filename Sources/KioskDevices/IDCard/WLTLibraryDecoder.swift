import Foundation
import Glibc
import KioskCore

/// A licensed vendor library that turns WLT photo bytes into a BMP, loaded with `dlopen` at
/// run time (it cannot be shipped or linked: no open decoder exists).
///
/// The function has the signature the common `libwlt2bmp.so` exports:
/// `int unpack(const char *wlt, char *bmp, int flags)`, returning 1 on success and writing
/// a 38,862-byte BMP file (102×126, 24-bit, rows padded to 4 bytes).
public final class WLTLibraryDecoder: WLTPhotoDecoder, @unchecked Sendable {
    // @unchecked: the handle and function pointer never change after init; calls are
    // serialised by `lock` because vendor libraries are rarely thread-safe.
    private typealias Unpack = @convention(c) (UnsafePointer<CChar>?, UnsafeMutablePointer<CChar>?, Int32) -> Int32

    /// The size of the BMP file the library writes.
    public static let bitmapSize = 38_862
    public let library: String
    private let handle: UnsafeMutableRawPointer
    private let unpack: Unpack
    private let lock = NSLock()

    /// Loads `symbol` from `library`; the error says why a technician's path does not work.
    public init(library: String, symbol: String = "unpack") throws(IDCardReaderError) {
        guard let handle = dlopen(library, RTLD_NOW | RTLD_LOCAL) else {
            let reason = dlerror().map { String(cString: $0) } ?? "unknown reason"
            throw IDCardReaderError(.configuration, "photo decoder \(library) cannot be loaded: \(reason)")
        }
        guard let address = dlsym(handle, symbol) else {
            dlclose(handle)
            throw IDCardReaderError(.configuration, "photo decoder \(library) has no function '\(symbol)'")
        }
        self.library = library
        self.handle = handle
        self.unpack = unsafeBitCast(address, to: Unpack.self)
    }

    /// The decoder a profile configures, or `nil` (photo stays "not decodable here").
    public static func configured(by settings: IDCardProfileSettings) throws(IDCardReaderError) -> WLTLibraryDecoder? {
        guard let decoder = settings.photoDecoder else { return nil }
        return try WLTLibraryDecoder(library: decoder.library, symbol: decoder.symbol)
    }

    public func decode(wlt: [UInt8]) throws -> [UInt8] {
        guard wlt.count == 1024 else {
            throw IDCardReaderError(.protocolError, "photo has \(wlt.count) bytes, the WLT decoder takes 1024")
        }
        var output = [CChar](repeating: 0, count: Self.bitmapSize + 1024)
        let input = wlt.map { CChar(bitPattern: $0) }
        let result = lock.withLock {
            input.withUnsafeBufferPointer { source in
                output.withUnsafeMutableBufferPointer { target in unpack(source.baseAddress, target.baseAddress, 0) }
            }
        }
        guard result == 1 else {
            throw IDCardReaderError(.io, "photo decoder \((library as NSString).lastPathComponent) failed with code \(result)")
        }
        return output.prefix(Self.bitmapSize).map { UInt8(bitPattern: $0) }
    }

    deinit { dlclose(handle) }
}
