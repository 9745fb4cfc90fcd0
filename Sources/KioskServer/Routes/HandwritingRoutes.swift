import Foundation
import Hummingbird
import KioskHandwriting

/// `POST /api/v1/handwriting`: the strokes of the screen's handwriting pad in, the candidate
/// characters out. Stateless: nothing written is kept or logged (it is usually a name).
enum HandwritingRoutes {
    /// A character's strokes as the pad sends them: `[[[x, y], ...], ...]`.
    struct InkBody: Decodable {
        var width: Int
        var height: Int
        var strokes: [[[Int]]]
    }

    struct Candidates: Encodable {
        var candidates: [String]
    }

    /// 4,000 points of two short integers each fit well within this.
    static let maximumBody = 96 * 1024

    static func add(to routes: Routes, recognizer: HandwritingRecognizer) {
        routes.post("/api/v1/handwriting") { request, _ -> Response in
            let buffer = try await request.body.collect(upTo: maximumBody)
            guard let body = try? JSONDecoder().decode(InkBody.self, from: Data(buffer.readableBytesView)),
                body.strokes.allSatisfy({ $0.allSatisfy { $0.count == 2 } })
            else {
                return JSONResponse.error(.badRequest, code: "bad-request", message: "手写笔迹格式有误 (strokes are [[[x, y], ...], ...])")
            }
            let character = HandwrittenCharacter(
                width: body.width, height: body.height,
                strokes: body.strokes.map { $0.map { HandwrittenCharacter.Point(x: $0[0], y: $0[1]) } })
            let candidates: [String]
            do throws(HandwritingError) {
                candidates = try recognizer.candidates(for: character)
            } catch {
                return JSONResponse.error(.badRequest, code: "bad-strokes", message: "手写笔迹无法识别 (\(error.message))")
            }
            return try JSONResponse.make(Candidates(candidates: candidates))
        }
    }
}
