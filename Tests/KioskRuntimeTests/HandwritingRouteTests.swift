import Foundation
import Testing

/// The handwriting pad's route on a real kioskd (simulated devices): Zinnia behind HTTP.
@Suite("Handwriting through kioskd's local API", .serialized)
struct HandwritingRouteTests {
    static let recordings = repositoryRoot + "/Tests/KioskHandwritingTests/Recordings/strokes.json"

    @Test("the pad's strokes come back as candidates; strokes off the pad are a 400")
    func handwriting() async throws {
        let kiosk = try await SessionDaemon.start()
        let all = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Self.recordings))) as? [[String: Any]]
        let xin = try #require(all?.first { $0["character"] as? String == "馨" })
        let body = try JSONSerialization.data(withJSONObject: ["width": 300, "height": 300, "strokes": xin["strokes"] ?? []])
        let answer = try await kiosk.post("/api/v1/handwriting", json: String(decoding: body, as: UTF8.self))
        #expect(answer.status == 200, "\(answer.text)")
        let candidates = answer.json["candidates"] as? [String] ?? []
        #expect(candidates.prefix(5).contains("馨"), "\(candidates)")
        let off = try await kiosk.post("/api/v1/handwriting", json: #"{"width":300,"height":300,"strokes":[[[10,10],[900,10]]]}"#)
        #expect(off.status == 400)
        _ = await kiosk.stop()
    }
}
