import KioskCore
import Logging
import Synchronization
import Testing

@testable import KioskRuntime

@Suite("Log lines")
struct LogRedactionTests {
    final class Lines: Sendable {
        // Guards the captured lines.
        let captured = Mutex<[String]>([])
        var all: [String] { captured.withLock { $0 } }
    }

    func logger(redactor: Redactor, lines: Lines) -> Logger {
        Logger(label: "kioskd") { label in
            KioskLogHandler(label: label, level: .debug, redactor: redactor, withTimestamp: false) { line in
                lines.captured.withLock { $0.append(line) }
            }
        }
    }

    @Test("No ID number, phone or session name reaches a line, wherever it was put")
    func redaction() {
        let redactor = Redactor()
        let lines = Lines()
        let logger = logger(redactor: redactor, lines: lines)
        redactor.remember(["王小明", "广东省深圳市南山区科技园路1号"])
        logger.info("Card read for 王小明 (11010519491231002X)")
        logger.info("Card read", metadata: ["name": "王小明", "card.id_number": "11010519491231002X", "note": "phone 13800138000"])
        logger.error("Lookup failed", metadata: ["error": "no record for 王小明 at 广东省深圳市南山区科技园路1号"])
        let text = lines.all.joined(separator: "\n")
        for secret in ["王小明", "11010519491231002X", "13800138000", "科技园路"] {
            #expect(!text.contains(secret), "\(secret) leaked into: \(text)")
        }
        #expect(lines.all.count == 3)
        #expect(lines.all[1].contains("name=[redacted]"))
    }

    @Test("Lines carry the syslog priority journald reads, then the message and sorted metadata")
    func format() {
        let lines = Lines()
        let logger = logger(redactor: Redactor(), lines: lines)
        logger.warning("Paper low", metadata: ["device": "printer", "level": "5 %"])
        #expect(lines.all == ["<4>warning [kioskd] Paper low device=printer level=\"5 %\""])
    }
}
