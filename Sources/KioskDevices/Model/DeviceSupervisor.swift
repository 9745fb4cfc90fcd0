import Foundation
import KioskCore
import Logging

/// Runs every configured device driver and brings each back after it fails or its device
/// goes away, with backoff, without ever stopping the others.
public struct DeviceSupervisor: Sendable {
    /// Waits between a driver's runs: doubled after each quick failure, up to `maximumDelay`.
    public struct Backoff: Sendable {
        public var initialDelay: Duration
        public var maximumDelay: Duration
        /// A run that lasted longer than this resets the delay (the device was working).
        public var stableAfter: Duration

        public init(
            initialDelay: Duration = .milliseconds(250), maximumDelay: Duration = .seconds(10),
            stableAfter: Duration = .seconds(30)
        ) {
            self.initialDelay = initialDelay
            self.maximumDelay = maximumDelay
            self.stableAfter = stableAfter
        }
    }

    public let registry: DeviceRegistry
    public let drivers: [any DeviceDriver]
    public let backoff: Backoff
    public let logger: Logger

    public init(registry: DeviceRegistry, drivers: [any DeviceDriver], backoff: Backoff = .init(), logger: Logger) {
        self.registry = registry
        self.drivers = drivers
        self.backoff = backoff
        self.logger = logger
    }

    /// Registers every driver's device (in state `starting`), so that the status shows all
    /// configured devices from the first moment, before any has been opened.
    public func registerDevices() async {
        for driver in drivers where await registry.status(of: driver.id) == nil {
            await registry.register(driver.id, kind: driver.kind, simulated: driver.isSimulated)
        }
    }

    /// Registers the devices not registered yet, then runs every driver until cancelled.
    public func run() async {
        await registerDevices()
        await withTaskGroup(of: Void.self) { group in
            for driver in drivers {
                group.addTask { await supervise(driver) }
            }
        }
    }

    private func supervise(_ driver: any DeviceDriver) async {
        var logger = self.logger
        logger[metadataKey: "device"] = "\(driver.id)"
        var delay = backoff.initialDelay
        let clock = ContinuousClock()
        while !Task.isCancelled {
            let started = clock.now
            do {
                try await driver.run(registry: registry, logger: logger)
                if Task.isCancelled { break }
                await registry.report(
                    driver.id, state: .noDevice,
                    fault: DeviceFault(code: "device-gone", message: "the device went away", action: .suspend)
                )
            } catch is CancellationError {
                break
            } catch let unavailable as DeviceUnavailable {
                if Task.isCancelled { break }
                let previous = await registry.status(of: driver.id)
                if previous?.state.isUsable == true {
                    await registry.count(.disconnects, for: driver.id)
                }
                await registry.report(
                    driver.id, state: unavailable.state,
                    fault: DeviceFault(code: "unavailable", message: unavailable.message, action: unavailable.action)
                )
            } catch {
                if Task.isCancelled { break }
                logger.error("Device driver failed", metadata: ["error": "\(error)"])
                await registry.count(.communicationErrors, for: driver.id)
                await registry.report(
                    driver.id, state: .hardwareError,
                    fault: DeviceFault(code: "driver-failed", message: "\(error)", action: .reset)
                )
            }
            if clock.now - started > backoff.stableAfter { delay = backoff.initialDelay }
            do {
                try await Task.sleep(for: delay)
            } catch {
                break
            }
            delay = min(delay * 2, backoff.maximumDelay)
        }
    }
}
