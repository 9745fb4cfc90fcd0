import Foundation
import KioskCore
import KioskFiles

/// The site profile: what differs from one hall to the next (name, division code, location,
/// opening hours, idle timeouts, devices and printers, platform), in `site.yaml` beside
/// kiosk.yaml, which keeps what is the same on every kiosk (paths, API, logging, sync tuning,
/// the touch calibration). Same keys as kiosk.yaml, so a value may move between the two.
extension ConfigurationLoader {
    /// Where the applied site profile of the configuration at `configurationPath` is.
    public static func siteProfilePath(beside configurationPath: String) -> String {
        ((configurationPath as NSString).deletingLastPathComponent as NSString).appendingPathComponent("site.yaml")
    }

    /// Weekdays, or `daily`, `weekdays` (Monday to Friday) and `weekend` for several at once.
    static let openingHoursShape: YAMLShape = .mapping(
        Dictionary(
            uniqueKeysWithValues: (OpeningHours.Weekday.allCases.map(\.rawValue) + ["daily", "weekdays", "weekend"]).map { ($0, .any) })
    )

    /// The keys a site profile may contain: kiosk.yaml's site part.
    static let siteShape: YAMLShape = .mapping([
        "kiosk": .mapping(["site": .scalar, "location": .scalar, "division_code": .scalar, "number": .scalar, "time_zone": .scalar]),
        "opening_hours": openingHoursShape,
        "session": .mapping([
            "idle_timeout_seconds": .scalar, "countdown_seconds": .scalar, "print_wait_seconds": .scalar,
            "receipt_printer": .scalar, "status_url": .scalar, "material_capture": .scalar,
            "query_services": .list(.mapping(["id": .scalar, "name": .scalar])),
        ]),
        "sync": .mapping(["platform": .scalar]),
        "devices": .list(
            .mapping(["id": .scalar, "kind": .scalar, "profile": .scalar, "path": .scalar, "queue": .scalar, "simulate": .scalar])
        ),
    ])

    /// The keys of a site profile that kiosk.yaml takes but a site profile does not: said as
    /// such, not as typos (`paths` is no misspelling, it belongs in the other file).
    static func kioskOnlyKeys(_ file: YAMLFile, unknown: [FileProblem]) -> [FileProblem] {
        guard case let .mapping(kiosk) = shape, case let .mapping(site) = siteShape, let root = file.root else { return unknown }
        var reader = NodeReader(file)
        var moved: [FileProblem] = []
        for (key, keyNode, _) in reader.mapping(root, "the site profile")?.entries ?? [] {
            if site[key] == nil, kiosk[key] != nil {
                moved.append(FileProblem(file.location(of: keyNode), "'\(key)' is not a site setting: it stays in kiosk.yaml"))
            } else if case let .mapping(kioskPart) = kiosk[key], case let .mapping(sitePart) = site[key],
                let mapping = file.child(key, of: root).flatMap({ reader.mapping($0, key) })
            {
                for (inner, innerNode, _) in mapping.entries where sitePart[inner] == nil && kioskPart[inner] != nil {
                    moved.append(
                        FileProblem(file.location(of: innerNode), "'\(key).\(inner)' is not a site setting: it stays in kiosk.yaml"))
                }
            }
        }
        let places = Set(moved.map(\.location))
        return unknown.filter { !places.contains($0.location) } + moved
    }

    /// Reads `opening_hours`: each key a day (or `daily`, `weekdays`, `weekend`), each value
    /// `closed`, `HH:MM-HH:MM`, several of those separated by commas, or a list of them. A
    /// named day wins over `weekdays`/`weekend`, which win over `daily`; a day named nowhere
    /// is closed.
    static func openingHours(_ node: YAMLNode, reader: inout NodeReader) -> OpeningHours? {
        guard let mapping = reader.mapping(node, "opening_hours") else { return nil }
        var byKey: [String: [OpeningHours.Period]] = [:]
        for (key, _, value) in mapping.entries {
            let texts: [(String, YAMLNode)]
            if let items = reader.file.items(of: value) {
                texts = items.map { (reader.file.text(of: $0) ?? "", $0) }
            } else if let text = reader.file.text(of: value) {
                texts = text.split(separator: ",").map { (String($0), value) }
            } else {
                reader.report(value, "opening_hours.\(key) must be 'closed', HH:MM-HH:MM, or a list of those")
                continue
            }
            var periods: [OpeningHours.Period] = []
            for (text, at) in texts {
                let trimmed = text.trimmingCharacters(in: .whitespaces)
                if trimmed == "closed" && texts.count == 1 { continue }
                guard let period = OpeningHours.Period(trimmed) else {
                    reader.report(
                        at,
                        "opening_hours.\(key): '\(trimmed)' is not a period such as 08:30-12:00 (24-hour clock, end after start) or 'closed'"
                    )
                    continue
                }
                if let overlapping = periods.first(where: { $0.start < period.end && period.start < $0.end }) {
                    reader.report(at, "opening_hours.\(key): \(period) overlaps \(overlapping)")
                    continue
                }
                periods.append(period)
            }
            byKey[key] = periods
        }
        let weekdays: Set<OpeningHours.Weekday> = [.monday, .tuesday, .wednesday, .thursday, .friday]
        var days: [OpeningHours.Weekday: [OpeningHours.Period]] = [:]
        for day in OpeningHours.Weekday.allCases {
            days[day] = byKey[day.rawValue] ?? byKey[weekdays.contains(day) ? "weekdays" : "weekend"] ?? byKey["daily"] ?? []
        }
        return OpeningHours(days: days)
    }
}
