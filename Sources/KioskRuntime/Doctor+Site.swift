import Foundation
import KioskAPI
import KioskConfig
import KioskCore
import KioskDevices

extension Doctor {
    /// The site this kiosk is provisioned for: which profile, where, and whether the hall is open.
    func siteCheck(now: Date) -> DoctorCheck {
        let status = SiteStatus(configuration, now: now)
        var detail = status.siteProfile.map { "site profile \($0)" } ?? "no site profile (kiosk.yaml alone)"
        detail += ": \(status.name ?? "no name")"
        if let location = status.location { detail += ", \(location)" }
        if let hours = status.openingHours {
            detail += "; \(status.openNow ? "open now" : "hall closed now") (\(hours.joined(separator: "; ")))"
        }
        return DoctorCheck(area: "configuration", name: "site", result: .ok, detail: detail)
    }

    /// A CUPS queue left with CUPS' default error policy stops for good after one failed job (a
    /// printer switched off overnight): nothing prints until someone runs cupsenable.
    func printerPolicyChecks() async -> [DoctorCheck] {
        var checks: [DoctorCheck] = []
        for device in configuration.devices where !configuration.isSimulated(device) {
            guard let queue = device.queue, let cups else { continue }
            guard let attributes = try? await cups.printer(queue) else { continue }  // the device check says why
            let name = "\(device.id) (CUPS queue \(queue))"
            if attributes.errorPolicy == "stop-printer" {
                checks.append(
                    DoctorCheck(
                        area: "printing", name: name, result: .warn,
                        detail: "error policy stop-printer: one failed job disables the queue until someone runs cupsenable",
                        hint:
                            "recreate it with Provisioning/printing/kiosk-print-queue.sh \(queue) URI everywhere (retry-job), or: lpadmin -p \(queue) -o printer-error-policy=retry-job"
                    ))
            } else {
                checks.append(
                    DoctorCheck(
                        area: "printing", name: name, result: .ok, detail: "error policy \(attributes.errorPolicy ?? "unknown")"))
            }
        }
        return checks
    }
}

extension SiteStatus {
    /// The site as configured, with whether the hall is open at `now`.
    init(_ configuration: KioskConfiguration, now: Date = Date()) {
        let zone = TimeZone(identifier: configuration.kiosk.timeZone) ?? .current
        self.init(
            name: configuration.kiosk.site, location: configuration.kiosk.location, siteProfile: configuration.siteProfilePath,
            openingHours: configuration.openingHours?.lines,
            openNow: (configuration.openingHours ?? .always).isOpen(at: now, in: zone))
    }
}
