import Foundation
import Testing

/// Spoken guidance on a real kioskd (simulated devices): espeak-ng behind HTTP, and the
/// session's personal values never spoken.
@Suite("Spoken guidance through kioskd's local API", .serialized)
struct SpeechRouteTests {
    @Test("a step's prompt is WAV audio; the card holder's name, even in a prompt, is refused before synthesis")
    func speech() async throws {
        let kiosk = try await SessionDaemon.start()
        let prompt = try await kiosk.post("/api/v1/speech", json: #"{"text":"新生儿出生一件事。请将身份证放在读卡区。"}"#)
        #expect(prompt.status == 200, "\(prompt.text)")
        #expect(prompt.header("Content-Type") == "audio/wav")
        #expect(prompt.body.starts(with: Data("RIFF".utf8)) && prompt.body.count > 16_000)
        let token = try await kiosk.newbornAtForm()
        // 林晓明 is the sample card's holder (Devices/idcard/cards/): his name is this session's.
        let named = try await kiosk.post("/api/v1/speech", json: #"{"text":"欢迎林晓明办理业务"}"#)
        #expect(named.status == 422)
        #expect((named.json["error"] as? [String: Any])?["code"] as? String == "not-speakable")
        _ = try await kiosk.post("/api/v1/session/end", token: token)
        let log = await kiosk.stop()
        #expect(!log.stdout.contains("林晓明") && !log.stderr.contains("林晓明"), "no name in the log")
    }
}
