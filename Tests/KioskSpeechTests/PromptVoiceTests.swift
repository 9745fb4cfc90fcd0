import Foundation
import KioskCore
import KioskSpeech
import Testing

/// sox's measurements of a WAV file: its length and how loud it is.
struct SoxStat {
    var seconds: Double
    var rms: Double

    init(_ wav: Data) throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("prompt-\(UUID().uuidString).wav")
        try wav.write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sox")
        process.arguments = [file.path, "-n", "stat"]
        let output = Pipe()
        process.standardError = output  // sox prints `stat` on standard error
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        func value(_ label: String) -> Double {
            let line = text.split(separator: "\n").first { $0.hasPrefix(label) } ?? ""
            return Double(line.split(separator: ":").last?.trimmingCharacters(in: .whitespaces) ?? "") ?? -1
        }
        seconds = value("Length (seconds)")
        rms = value("RMS     amplitude")
    }
}

@Suite("Spoken guidance (espeak-ng cmn, checked with sox)")
struct PromptVoiceTests {
    static func voice() -> (PromptVoice, URL) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kiosk-speech-\(UUID().uuidString)")
        return (PromptVoice(cacheDirectory: folder), folder)
    }

    @Test(
        "each kind of prompt is speech: not silent, as long as its text",
        arguments: [
            "新生儿出生一件事。请放置身份证。",  // the title and what to do
            "第三步，填写表格。请核对身份证读取的信息，填写标红的内容，然后点击下一步。",
            "新生儿姓名：第2个字不在通用规范汉字表的8105字内，请换用规范汉字。",  // an error
            "您已较长时间未操作，30秒后将自动退出并清除所填信息。",  // the wipe countdown
        ])
    func spoken(text: String) async throws {
        let (voice, folder) = Self.voice()
        defer { try? FileManager.default.removeItem(at: folder) }
        let stat = try SoxStat(try await voice.audio(for: text, catalogueVersion: "catalog-test"))
        #expect(stat.rms > 0.02, "not silent")
        // Mandarin at 150 words a minute: roughly 0.15 to 0.6 s a character, pauses included.
        let characters = Double(text.count)
        #expect(stat.seconds > characters * 0.15 && stat.seconds < characters * 0.6, "\(stat.seconds) s for \(text.count) characters")
    }

    @Test("a prompt heard before comes from the cache of its catalogue version; a new version starts afresh")
    func cached() async throws {
        let (voice, folder) = Self.voice()
        defer { try? FileManager.default.removeItem(at: folder) }
        let first = try await voice.audio(for: "请放置身份证", catalogueVersion: "catalog-a")
        let again = try await voice.audio(for: "请放置身份证", catalogueVersion: "catalog-a")
        #expect(first == again)
        #expect(await voice.synthesised == 1)
        #expect(await voice.cached == 1)
        _ = try await voice.audio(for: "请放置身份证", catalogueVersion: "catalog-b")
        #expect(await voice.synthesised == 2)
        let folders = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        #expect(folders == ["catalog-b"], "the old version's prompts are removed")
    }

    @Test(
        "nothing personal is spoken: checked on the text, before synthesis",
        arguments: [
            "申请人林晓明，请确认",  // a name of this session
            "身份证号110105199003071239",
            "手机13800138000",
            "申请人林*明",
            "Welcome, John Smith",
            "",
        ])
    func refused(text: String) async throws {
        let (voice, folder) = Self.voice()
        defer { try? FileManager.default.removeItem(at: folder) }
        await #expect(throws: SpeechError.self) {
            _ = try await voice.audio(for: text, catalogueVersion: "catalog-test", personal: ["林晓明", "北京市东城区"])
        }
        #expect(await voice.synthesised == 0)
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("catalog-test").path))
    }

    @Test("the screen's own wording passes the check; a personal value does not")
    func rule() {
        #expect(SpokenPrompt.problem("第1步，放置身份证") == nil)
        #expect(SpokenPrompt.problem("请在30秒内操作") == nil)
        #expect(SpokenPrompt.problem("欢迎林雨", personal: ["林雨"]) != nil)
        #expect(SpokenPrompt.problem(String(repeating: "请", count: SpokenPrompt.maximumLength + 1)) != nil)
    }
}
