import ArgumentParser
import Foundation
import KioskCatalog
import KioskCore

/// Where the catalog and calendar are looked for when no directory is given: the
/// environment, then the kiosk's state directory, then the source tree (for technicians
/// working in a checkout).
enum CatalogPaths {
    static func catalog(_ given: String?) -> String {
        resolve(given, environment: "KIOSK_CATALOG_DIR", installed: "/var/lib/kiosk/catalog", source: "Provisioning/catalog")
    }

    static func calendar(_ given: String?) -> String {
        resolve(given, environment: "KIOSK_CALENDAR_DIR", installed: "/var/lib/kiosk/calendar", source: "Provisioning/calendar")
    }

    private static func resolve(_ given: String?, environment: String, installed: String, source: String) -> String {
        if let given { return given }
        if let value = ProcessInfo.processInfo.environment[environment], !value.isEmpty { return value }
        if FileManager.default.fileExists(atPath: installed) { return installed }
        return source
    }

    /// Loads the calendar or fails with every located problem.
    static func loadCalendar(_ given: String?) throws -> WorkingDayCalendar {
        do {
            return try CalendarLoader.load(directory: calendar(given))
        } catch {
            throw ValidationError("the working-day calendar cannot be used:\n\(error.description)")
        }
    }

    /// Parses `YYYY-MM-DD` or fails with a message naming the option.
    static func date(_ text: String, _ what: String) throws -> CivilDate {
        guard let date = CivilDate(iso: text) else {
            throw ValidationError("\(what) '\(text)' is not a date written YYYY-MM-DD")
        }
        return date
    }
}

/// Writes a line to standard error (problems go there so that stdout stays parseable).
func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
