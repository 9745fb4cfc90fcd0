import Foundation
import Hummingbird
import KioskDevices
import KioskStore
import Logging

/// The admin API, served only on the unix socket (mode 0660, the technicians' group), so that
/// nothing on the network, nor the citizen's browser, can reach it.
public enum AdminAPI {
    /// Builds the router of the admin API.
    public static func router(environment: KioskAPIEnvironment, logger: Logger) -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: NoStoreMiddleware())
        let admin = router.group("/admin/v1")

        admin.get("/status") { _, _ -> Response in
            try JSONResponse.make(await environment.status())
        }
        admin.get("/devices") { _, _ -> Response in
            try JSONResponse.make(await environment.registry.all())
        }
        admin.get("/doctor") { _, _ -> Response in
            try JSONResponse.make(await environment.doctor())
        }
        admin.post("/store/recover") { _, _ -> Response in
            try await storeDecision(logger: logger) { try await environment.store.recover() }
        }
        admin.post("/store/reset") { _, _ -> Response in
            try await storeDecision(logger: logger) { try await environment.store.reset() }
        }
        admin.post("/devices/:device/simulate/:condition") { _, context -> Response in
            let device = DeviceID(context.parameters.get("device") ?? "")
            guard let controls = environment.simulators[device] else {
                return JSONResponse.error(.notFound, code: "no-simulator", message: "'\(device)' is not a simulated device")
            }
            switch context.parameters.get("condition") {
            case "working": controls.set(.working)
            case "unplugged": controls.set(.unplugged)
            case "broken":
                controls.set(.faulty(.hardwareError, DeviceFault(code: "simulated-failure", message: "simulated hardware failure", action: .reset)))
            case let other:
                return JSONResponse.error(
                    .badRequest, code: "unknown-condition",
                    message: "'\(other ?? "")' is not a condition; use working, unplugged or broken")
            }
            return try JSONResponse.make(["device": device.rawValue, "condition": context.parameters.get("condition") ?? ""])
        }
        return router
    }

    private static func storeDecision(logger: Logger, _ decide: () async throws -> StoreDecision) async throws -> Response {
        do {
            return try JSONResponse.make(try await decide())
        } catch let error as StoreError {
            logger.error("Store decision failed", metadata: ["error": "\(error)"])
            return JSONResponse.error(.conflict, code: error.code.description, message: error.message)
        }
    }
}
