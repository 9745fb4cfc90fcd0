import Foundation
import HTTPTypes
import Hummingbird
import KioskSession
import KioskSpeech
import NIOCore

/// `POST /api/v1/speech {"text"}`: the screen's prompt (a step's title and what to do, an
/// error, the wipe countdown) as WAV audio for the screen to play. Refused (422) when the text
/// is not the screen's own wording: personal values of the session under way, masks, numbers,
/// Latin letters. Neither the text nor why it was refused is logged.
enum SpeechRoutes {
    struct PromptBody: Decodable { var text: String }

    static func add(to routes: Routes, voice: PromptVoice, session: SessionController?) {
        routes.post("/api/v1/speech") { request, _ -> Response in
            let buffer = try await request.body.collect(upTo: 4096)
            guard let body = try? JSONDecoder().decode(PromptBody.self, from: Data(buffer.readableBytesView)) else {
                return JSONResponse.error(.badRequest, code: "bad-request", message: "请求格式有误 (expected {\"text\": ...})")
            }
            let version = await session?.catalogueVersion ?? "no-catalog"
            let personal = await session?.personalValues ?? []
            do {
                let audio = try await voice.audio(for: body.text, catalogueVersion: version, personal: personal)
                var headers = HTTPFields()
                headers[.contentType] = "audio/wav"
                return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: audio)))
            } catch let error as SpeechError where error.code == .refused {
                return JSONResponse.error(.unprocessableContent, code: "not-speakable", message: "此内容不能朗读 (\(error.message))")
            } catch {
                return JSONResponse.error(.serviceUnavailable, code: "speech-unavailable", message: "语音播报暂不可用")
            }
        }
    }
}
