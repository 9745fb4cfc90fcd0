import Crypto
import Foundation
import KioskCore

/// Spoken guidance: the screen's prompts synthesised by espeak-ng's Mandarin voice (`cmn`) into
/// WAV, cached on disk per catalogue version (the prompts quote its bundle and item names), so
/// a prompt heard before starts at once. Only text `SpokenPrompt` allows is ever synthesised.
public actor PromptVoice {
    /// The espeak-ng command.
    public let engine: String
    /// The voice: Mandarin.
    public let voice: String
    /// Words per minute: slower than espeak-ng's 175, for the elderly (适老化).
    public let wordsPerMinute: Int
    /// `cacheDirectory/<catalogue version>/<SHA-256 of the text>.wav`.
    public let cacheDirectory: URL
    /// Prompts synthesised, and those answered from the cache, since start (for the metrics).
    public private(set) var synthesised = 0
    public private(set) var cached = 0

    /// A voice caching under `cacheDirectory`.
    public init(cacheDirectory: URL, engine: String = "/usr/bin/espeak-ng", voice: String = "cmn", wordsPerMinute: Int = 150) {
        self.cacheDirectory = cacheDirectory
        self.engine = engine
        self.voice = voice
        self.wordsPerMinute = wordsPerMinute
    }

    /// The WAV audio of `text` for the catalogue `version`, from the cache or synthesised now.
    /// `personal`: this session's personal values, none of which may be in the text.
    public func audio(for text: String, catalogueVersion version: String, personal: [String] = []) throws -> Data {
        if let problem = SpokenPrompt.problem(text, personal: personal) {
            throw SpeechError(.refused, problem)
        }
        let folder = cacheDirectory.appendingPathComponent(Self.safeName(version), isDirectory: true)
        let digest = SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
        let file = folder.appendingPathComponent("\(digest).wav")
        if let data = try? Data(contentsOf: file), !data.isEmpty {
            cached += 1
            return data
        }
        try prepare(folder)
        let data = try synthesise(text)
        // Written beside and renamed (the actor is the only writer): never half a file.
        let partial = folder.appendingPathComponent("\(digest).partial")
        try? data.write(to: partial)
        try? FileManager.default.removeItem(at: file)
        try? FileManager.default.moveItem(at: partial, to: file)
        synthesised += 1
        return data
    }

    /// The catalogue's folder, created, and the folders of earlier catalogues removed.
    private func prepare(_ folder: URL) throws {
        let manager = FileManager.default
        if manager.fileExists(atPath: folder.path) { return }
        for old in (try? manager.contentsOfDirectory(at: cacheDirectory, includingPropertiesForKeys: nil)) ?? [] {
            try? manager.removeItem(at: old)
        }
        do {
            try manager.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw SpeechError(.synthesisFailed, "cannot create the prompt cache \(folder.path): \(error)")
        }
    }

    /// espeak-ng writes the WAV to its standard output (`--stdout`); the text goes on its
    /// standard input, never on a command line another process could read.
    private func synthesise(_ text: String) throws -> Data {
        guard FileManager.default.isExecutableFile(atPath: engine) else {
            throw SpeechError(.engineUnavailable, "\(engine) is not installed (Debian package espeak-ng)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: engine)
        process.arguments = ["-v", voice, "-s", "\(wordsPerMinute)", "--stdout"]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw SpeechError(.engineUnavailable, "cannot run \(engine): \(error)")
        }
        try? input.fileHandleForWriting.write(contentsOf: Data(text.utf8))
        try? input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        // A WAV header is 44 bytes; anything that short is no speech.
        guard process.terminationStatus == 0, data.count > 1024, data.starts(with: Data("RIFF".utf8)) else {
            throw SpeechError(.synthesisFailed, "espeak-ng (voice \(voice)) exited \(process.terminationStatus) with \(data.count) bytes")
        }
        return Self.sealedLengths(data)
    }

    /// espeak-ng streaming to a pipe cannot seek back, so its header claims an unknown length
    /// (0x7ffff000): the RIFF and data sizes are written here, for players that trust them.
    static func sealedLengths(_ wav: Data) -> Data {
        var fixed = Data(wav)
        guard fixed.count > 44, fixed[fixed.startIndex + 36..<fixed.startIndex + 40] == Data("data".utf8) else { return fixed }
        func put(_ value: Int, at offset: Int) {
            let bytes = withUnsafeBytes(of: UInt32(value).littleEndian) { Data($0) }
            fixed.replaceSubrange(fixed.startIndex + offset..<fixed.startIndex + offset + 4, with: bytes)
        }
        put(fixed.count - 8, at: 4)
        put(fixed.count - 44, at: 40)
        return fixed
    }

    static func safeName(_ version: String) -> String {
        let allowed = version.filter { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == ".") }
        return allowed.isEmpty ? "unversioned" : String(allowed.prefix(64))
    }
}
