import Foundation
import Hummingbird
import KioskCore
import KioskDevices

/// What the demo panel can do to the simulated devices (`kioskd demo` only; a real kiosk has none).
public protocol DemoControls: Sendable {
    /// The sample cards that can be placed on the simulated reader.
    var sampleCards: [DemoSampleCard] { get }
    /// Places a sample card (by id) on the reader; `false` if there is no such card.
    func placeCard(_ id: String) -> Bool
    /// Lifts the card off the reader.
    func liftCard()
    /// Breaks or repairs a simulated device: `paper-out`, `paper-in`, `unplug`, `plug`.
    func set(device: DeviceID, condition: String) async -> Bool
    /// A one-finger tap on the simulated touch panel at panel fractions; `false` without one.
    func tap(x: Double, y: Double) -> Bool
}

public struct DemoSampleCard: Encodable, Sendable, Hashable {
    public var id: String
    /// What the panel shows (card type and a made-up name; sample cards hold no real person).
    public var label: String

    public init(id: String, label: String) {
        self.id = id
        self.label = label
    }
}

/// The demo panel's endpoints, on the local API of `kioskd demo` only.
enum DemoRoutes {
    struct Panel: Encodable {
        var cards: [DemoSampleCard]
        var conditions: [String]
    }

    static func add(to routes: Routes, demo: any DemoControls) {
        routes.get("/api/v1/demo") { _, _ -> Response in
            try JSONResponse.make(Panel(cards: demo.sampleCards, conditions: ["paper-out", "paper-in", "unplug", "plug"]))
        }
        routes.post("/api/v1/demo/card/place/:card") { _, context -> Response in
            let card = context.parameters.get("card") ?? ""
            guard demo.placeCard(card) else {
                return JSONResponse.error(.notFound, code: "no-card", message: "no sample card '\(card)'")
            }
            return try JSONResponse.make(["placed": card])
        }
        routes.post("/api/v1/demo/card/lift") { _, _ -> Response in
            demo.liftCard()
            return try JSONResponse.make(["lifted": true])
        }
        routes.post("/api/v1/demo/touch/tap") { request, _ -> Response in
            guard let x = request.uri.queryParameters.get("x").flatMap(Double.init),
                let y = request.uri.queryParameters.get("y").flatMap(Double.init), (0...1).contains(x), (0...1).contains(y)
            else {
                return JSONResponse.error(.badRequest, code: "invalid-point", message: "x and y are panel fractions 0...1")
            }
            guard demo.tap(x: x, y: y) else {
                return JSONResponse.error(.notFound, code: "no-touch-panel", message: "no simulated touch panel")
            }
            return try JSONResponse.make(["x": x, "y": y])
        }
        routes.post("/api/v1/demo/device/:device/:condition") { _, context -> Response in
            let device = DeviceID(context.parameters.get("device") ?? "")
            let condition = context.parameters.get("condition") ?? ""
            guard await demo.set(device: device, condition: condition) else {
                return JSONResponse.error(
                    .notFound, code: "not-simulated", message: "'\(device)' cannot be set to '\(condition)' in this demo")
            }
            return try JSONResponse.make(["device": device.rawValue, "condition": condition])
        }
    }
}
