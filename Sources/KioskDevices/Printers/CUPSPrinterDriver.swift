import KioskCore
import Logging

/// Keeps a CUPS queue's status in the registry from its `printer-state` and
/// `printer-state-reasons`, polled through IPP.
///
/// cupsd not answering is reported as `offline` (it comes back by itself); a queue that does
/// not exist is thrown as `DeviceUnavailable` with the `configuration` action, so the supervisor
/// keeps retrying while a technician fixes the provisioning.
public struct CUPSPrinterDriver: DeviceDriver {
    public let id: DeviceID
    public var kind: DeviceKind { .printer }
    public var isSimulated: Bool { false }
    /// The CUPS queue's name.
    public let queue: String
    public let client: CUPSClient
    public let pollInterval: Duration

    public init(id: DeviceID, queue: String, client: CUPSClient, pollInterval: Duration = .seconds(2)) {
        self.id = id
        self.queue = queue
        self.client = client
        self.pollInterval = pollInterval
    }

    public func run(registry: DeviceRegistry, logger: Logger) async throws {
        var previous: DeviceFault?
        var identified = false
        while !Task.isCancelled {
            do throws(CUPSError) {
                let printer = try await client.printer(queue)
                if !identified {
                    identified = true
                    await registry.update(id) {
                        $0.identity = DeviceIdentity(model: printer.makeAndModel)
                        $0.capabilities = ["pdf"]
                    }
                    if printer.errorPolicy == "stop-printer" {
                        logger.warning(
                            "CUPS queue stops on the first error; provision it with kiosk-print-queue.sh",
                            metadata: ["queue": "\(queue)"])
                    }
                }
                let (state, fault) = printer.condition.device
                if fault?.code == "media-empty" || fault?.code == "media-needed",
                    previous?.code != "media-empty" && previous?.code != "media-needed"
                {
                    await registry.count(.paperOuts, for: id)
                }
                previous = fault
                await registry.report(id, state: state, fault: fault)
            } catch  where error.code == .queueNotFound {
                throw DeviceUnavailable(
                    .notFound, "no CUPS queue '\(queue)' on \(client.server)", state: .noDevice, action: .configuration,
                    cause: error)
            } catch  where error.code == .serverUnreachable {
                await registry.report(
                    id, state: .offline,
                    fault: DeviceFault(code: "cupsd-unreachable", message: "the print service does not answer", action: .suspend))
            } catch {
                await registry.count(.communicationErrors, for: id)
                logger.warning("CUPS status request failed", metadata: ["queue": "\(queue)", "error": "\(error)"])
            }
            try await Task.sleep(for: pollInterval)
        }
    }
}
