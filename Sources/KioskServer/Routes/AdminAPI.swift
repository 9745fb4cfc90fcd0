import Foundation
import Hummingbird
import KioskAPI
import KioskAudit
import KioskCore
import KioskDevices
import KioskDocuments
import KioskPrinting
import KioskSession
import KioskStore
import Logging

/// The admin API, served only on the unix socket (mode 0660, the technicians' group), so that
/// nothing on the network, nor the citizen's browser, can reach it.
public enum AdminAPI {
    /// Builds the router of the admin API.
    public static func router(environment: KioskAPIEnvironment, logger: Logger) -> Router<BasicRequestContext> {
        let router = Router()
        let routes = Routes(router)
        router.add(middleware: NoStoreMiddleware())
        router.add(middleware: ContentSecurityMiddleware())
        router.add(middleware: ErrorMiddleware(routes: routes.known, logger: logger))

        routes.get("/admin/v1/status") { _, _ -> Response in
            try JSONResponse.make(await environment.status())
        }
        routes.get("/admin/v1/sync") { _, _ -> Response in
            guard let sync = environment.sync else { return noPlatform() }
            return try JSONResponse.make(await sync.status())
        }
        // Long request: answers when one pass (cases, attachments, ratings, changes) is done.
        routes.post("/admin/v1/sync/now") { _, _ -> Response in
            guard let sync = environment.sync else { return noPlatform() }
            return try JSONResponse.make(await sync.syncNow())
        }
        routes.get("/admin/v1/devices") { _, _ -> Response in
            try JSONResponse.make(await environment.registry.all())
        }
        routes.get("/admin/v1/doctor") { _, _ -> Response in
            try JSONResponse.make(await environment.doctor())
        }
        routes.post("/admin/v1/store/recover") { _, _ -> Response in
            try await storeDecision(logger: logger, audit: environment.audit) { try await environment.store.recover() }
        }
        routes.post("/admin/v1/store/reset") { _, _ -> Response in
            try await storeDecision(logger: logger, audit: environment.audit) { try await environment.store.reset() }
        }
        routes.get("/admin/v1/print/jobs") { request, _ -> Response in
            guard let queue = environment.printQueue else {
                return JSONResponse.error(
                    .serviceUnavailable, code: "no-print-queue",
                    message: "printing is off: the document templates did not load (see kioskctl doctor)")
            }
            let jobs =
                if let number = request.uri.queryParameters.get("case") {
                    try await queue.jobs(caseNumber: String(number))
                } else {
                    try await queue.unfinished()
                }
            return try JSONResponse.make(jobs.map { PrintJobSummary($0) })
        }
        routes.post("/admin/v1/print/reprint") { request, _ -> Response in
            guard let queue = environment.printQueue else {
                return JSONResponse.error(
                    .serviceUnavailable, code: "no-print-queue",
                    message: "printing is off: the document templates did not load (see kioskctl doctor)")
            }
            guard let number = request.uri.queryParameters.get("case").map({ String($0) }), !number.isEmpty else {
                return JSONResponse.error(.badRequest, code: "no-case", message: "say which case: ?case=RECEIPT-NUMBER")
            }
            guard let original = try await queue.jobs(caseNumber: number).last(where: { $0.document == .receipt }) else {
                return JSONResponse.error(.notFound, code: "no-receipt", message: "no receipt was ever printed for case \(number)")
            }
            let printer = request.uri.queryParameters.get("printer").map { DeviceID(String($0)) }
            let job = try await queue.reprint(original.id, requestedBy: .technician, printer: printer)
            logger.notice("Receipt reprinted by a technician", metadata: ["job": "\(job.id)", "reprint.of": "\(original.id)"])
            return try JSONResponse.make(PrintJobSummary(job))
        }
        // Long request: answers when every target was touched (or the time is up).
        routes.post("/admin/v1/touch/calibrate") { request, _ -> Response in
            guard let calibrator = environment.calibrator else {
                return JSONResponse.error(.notFound, code: "no-touch-screen", message: "this kiosk has no touch screen configured")
            }
            var targets = CalibrationFit.standardTargets()
            if let text = request.uri.queryParameters.get("targets") {
                let points = text.split(separator: ";").map { pair -> TouchPoint? in
                    let numbers = pair.split(separator: ",").compactMap { Double($0) }
                    guard numbers.count == 2, (0...1).contains(numbers[0]), (0...1).contains(numbers[1]) else { return nil }
                    return TouchPoint(x: numbers[0], y: numbers[1])
                }
                guard points.count >= CalibrationFit.minimumSamples, points.allSatisfy({ $0 != nil }) else {
                    return JSONResponse.error(
                        .badRequest, code: "invalid-targets", message: "targets are at least 4 points x,y;x,y;... in screen fractions 0...1"
                    )
                }
                targets = points.compactMap { $0 }
            }
            let seconds = request.uri.queryParameters.get("timeout").flatMap { Int($0) } ?? 120
            do {
                return try JSONResponse.make(try await calibrator.calibrate(targets: targets, timeout: .seconds(max(5, min(seconds, 600)))))
            } catch let error as ScreenCalibrationError {
                return JSONResponse.error(.conflict, code: "calibration-failed", message: error.message)
            }
        }
        routes.post("/admin/v1/devices/:device/simulate/:condition") { _, context -> Response in
            let device = DeviceID(context.parameters.get("device") ?? "")
            guard let controls = environment.simulators[device] else {
                return JSONResponse.error(.notFound, code: "no-simulator", message: "'\(device)' is not a simulated device")
            }
            switch context.parameters.get("condition") {
            case "working": controls.set(.working)
            case "unplugged": controls.set(.unplugged)
            case "broken":
                controls.set(
                    .faulty(.hardwareError, DeviceFault(code: "simulated-failure", message: "simulated hardware failure", action: .reset)))
            case let other:
                return JSONResponse.error(
                    .badRequest, code: "unknown-condition",
                    message: "'\(other ?? "")' is not a condition; use working, unplugged or broken")
            }
            return try JSONResponse.make(["device": device.rawValue, "condition": context.parameters.get("condition") ?? ""])
        }
        return router
    }

    private static func noPlatform() -> Response {
        JSONResponse.error(
            .notFound, code: "no-platform",
            message: "this kiosk has no platform configured (sync.platform in kiosk.yaml): it works offline only")
    }

    private static func storeDecision(
        logger: Logger, audit: AuditTrail?, _ decide: () async throws -> StoreDecision
    ) async throws -> Response {
        do {
            let decision = try await decide()
            let lost = decision.lostRows.values.reduce(0, +)
            do {
                try audit?.record(
                    decision.action == "reset" ? .storeReset : .storeRecover, actor: "kioskctl via the admin socket",
                    detail: "\(decision.action) of the quarantined \(decision.quarantined)"
                        + (decision.action == "recover" ? ": \(decision.recoveredRows.values.reduce(0, +)) rows kept, \(lost) lost" : ""))
            } catch {
                logger.error("Audit trail not written", metadata: ["error": "\(error.message)"])
            }
            return try JSONResponse.make(decision)
        } catch let error as StoreError {
            logger.error("Store decision failed", metadata: ["error": "\(error)"])
            return JSONResponse.error(.conflict, code: error.code.description, message: error.message)
        }
    }
}
