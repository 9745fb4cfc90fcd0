import AsyncHTTPClient
import Foundation
import KioskCore
import NIOCore
import NIOHTTP1
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite("Touch calibration on the kiosk screen", .serialized)
struct ScreenCalibrationTests {
    /// How the simulated panel is "mounted": squeezed and shifted, as a drifted cheap panel is.
    static func skewed(_ target: TouchPoint) -> TouchPoint {
        TouchPoint(x: 0.9 * target.x + 0.04 * target.y + 0.03, y: 0.93 * target.y + 0.05)
    }

    @Test("kioskctl touch calibrate shows each target on the screen and recovers a skewed panel by least squares")
    func onScreen() async throws {
        let kiosk = try await SessionDaemon.start()
        let config = kiosk.scratch.file("kiosk.yaml")
        let socket = kiosk.scratch.file("admin.sock")

        // The screen's part: follow the event stream, touch the panel where each target appears.
        var request = HTTPClientRequest(url: kiosk.address + "/api/v1/events")
        request.method = .GET
        let stream = try await HTTPClient.shared.execute(request, timeout: .seconds(120))
        let body = stream.body
        let address = kiosk.address
        let tapper = Task { @Sendable () -> [TouchPoint] in
            var shown: [TouchPoint] = []
            var pending = ""
            var event = ""
            for try await chunk in body {
                pending += String(buffer: chunk)
                while let newline = pending.firstIndex(of: "\n") {
                    let line = String(pending[..<newline])
                    pending = String(pending[pending.index(after: newline)...])
                    if line.hasPrefix("event: ") { event = String(line.dropFirst(7)) }
                    guard event == "touch.calibration", line.hasPrefix("data: "),
                        let step = try? JSONSerialization.jsonObject(with: Data(line.dropFirst(6).utf8)) as? [String: Any]
                    else { continue }
                    if step["state"] as? String != "target" { return shown }
                    let target = TouchPoint(x: step["x"] as? Double ?? 0, y: step["y"] as? Double ?? 0)
                    shown.append(target)
                    let point = Self.skewed(target)
                    var tap = HTTPClientRequest(url: address + "/api/v1/demo/touch/tap?x=\(point.x)&y=\(point.y)")
                    tap.method = .POST
                    _ = try await HTTPClient.shared.execute(tap, timeout: .seconds(10))
                }
            }
            return shown
        }
        let run = try Program(
            "kioskctl", ["touch", "calibrate", "--socket", socket, "--json", "--write", config, "--timeout", "60"])
        let (status, stdout, stderr) = await run.finish(timeout: .seconds(90))
        let shown = try await tapper.value
        #expect(status == 0, "\(stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any])
        let matrix = try #require(CalibrationMatrix((report["matrix"] as? [Double]) ?? []))
        #expect(shown == CalibrationFit.standardTargets(), "the five standard targets, in order, on the screen")
        #expect((report["rmsError"] as? Double ?? 1) < 0.002, "an affine skew is recovered exactly (up to panel resolution)")
        // The skew is corrected: the new matrix takes each skewed touch back onto its target.
        let touches = (report["touches"] as? [[String: Double]] ?? []).map { TouchPoint(x: $0["x"] ?? 0, y: $0["y"] ?? 0) }
        #expect(touches.count == 5)
        for (touch, target) in zip(touches, shown) {
            #expect(matrix.apply(touch).distance(to: target) < 0.002)
            #expect(touch.distance(to: target) > 0.01, "the panel really was skewed")
        }
        let stored = try String(contentsOfFile: config, encoding: .utf8)
        #expect(stored.contains("calibration:"), "the matrix is stored in the configuration")
        _ = await kiosk.stop()
    }

    @Test("Calibration refuses to take the screen from a citizen")
    func refusedDuringSession() async throws {
        let kiosk = try await SessionDaemon.start()
        #expect(try await kiosk.post("/api/v1/session", json: #"{"bundle":"newborn"}"#).status == 200)
        let run = try await Program.run(
            "kioskctl", ["touch", "calibrate", "--socket", kiosk.scratch.file("admin.sock"), "--timeout", "5"])
        #expect(run.status == 1)
        #expect(run.stderr.contains("citizen"))
        _ = await kiosk.stop()
    }
}
