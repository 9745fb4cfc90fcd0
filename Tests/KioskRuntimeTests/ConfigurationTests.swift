import KioskConfig
import KioskFiles
import KioskSession
import Testing

@testable import KioskRuntime

@Suite("Configuration file")
struct ConfigurationTests {
    func problems(_ text: String) -> [String] {
        do {
            _ = try ConfigurationLoader.load(text: text, file: "kiosk.yaml")
            return []
        } catch {
            return error.problems.map(\.description)
        }
    }

    @Test("A complete file loads with every path as written")
    func valid() throws {
        let configuration = try ConfigurationLoader.load(
            text: """
                kiosk:
                  id: KIOSK-3301
                paths:
                  state_dir: /srv/kiosk
                  admin_socket: /run/k/admin.sock
                api:
                  port: 9000
                devices:
                  - id: idcard
                    kind: idcard
                    profile: generic-sam-usb
                """, file: "kiosk.yaml")
        #expect(configuration.kiosk.id == "KIOSK-3301")
        #expect(configuration.paths.databasePath == "/srv/kiosk/kiosk.db")
        #expect(configuration.api.port == 9000)
        #expect(configuration.devices.first?.profile == "generic-sam-usb")
    }

    @Test("session.material_capture: a site with a capture device lets citizens hand materials in; a wrong value is located")
    func materialCapture() throws {
        let base = "kiosk:\n  id: K1\nsession:\n  material_capture: "
        let configuration = try ConfigurationLoader.load(text: base + "true\n", file: "kiosk.yaml")
        #expect(configuration.session.materialCapture)
        #expect(KioskDaemon.sessionSettings(configuration).materialCapture)
        #expect(try !ConfigurationLoader.load(text: "kiosk:\n  id: K1\n", file: "kiosk.yaml").session.materialCapture)
        let refused = problems(base + "maybe\n")
        #expect(refused.count == 1 && refused.first?.hasPrefix("kiosk.yaml:4:") == true, "\(refused)")
    }

    @Test(
        "Each mistake is reported at its line with what is wrong",
        arguments: [
            ("paths:\n  stat_dir: /x\n", "kiosk.yaml:2:3: unknown key 'paths.stat_dir' (did you mean 'state_dir'?)"),
            ("api:\n  host: 0.0.0.0\n", "kiosk.yaml:2:9: api.host must be a loopback address"),
            ("api:\n  port: eighty\n", "kiosk.yaml:2:9: 'api.port' must be a whole number, found 'eighty'"),
            ("paths:\n  state_dir: var/lib\n", "kiosk.yaml:2:14: paths.state_dir must be an absolute path"),
            ("devices:\n  - id: a\n    kind: toaster\n", "kiosk.yaml:3:11:"),
            ("devices:\n  - id: a\n    kind: printer\n", "kiosk.yaml:2:5: device 'a' needs a profile, a path or a queue"),
            ("kiosk:\n  id: [1\n", "kiosk.yaml:3:1: not valid YAML"),
            ("logging:\n  level: loud\n", "kiosk.yaml:2:10: logging.level must be one of"),
            ("kiosk:\n  time_zone: Beijing\n", "kiosk.yaml:2:14: kiosk.time_zone must be a time zone name such as Asia/Shanghai"),
        ])
    func located(text: String, expected: String) {
        let found = problems(text)
        #expect(found.contains { $0.hasPrefix(expected) }, "got \(found)")
    }

    @Test("An empty file, a file without kiosk.id, and an unknown device kind are refused, saying what is missing or allowed")
    func missingAndUnknown() {
        #expect(
            problems("") == [
                "kiosk.yaml:1:1: the file is empty: a kiosk needs at least kiosk.id, and its devices (see Provisioning/config/kiosk.yaml)"
            ])
        #expect(problems("api:\n  port: 9000\n").contains { $0.contains("kiosk.id is missing") })
        #expect(
            problems("kiosk:\n  id: K-1\ndevices:\n  - id: f\n    kind: fax\n")
                == ["kiosk.yaml:5:11: devices[0].kind must be one of idcard, printer, receipt-printer, touch, not 'fax'"])
    }

    @Test("Several problems are reported together, so one pass fixes them all")
    func allProblemsAtOnce() {
        let found = problems("kiosk:\n  id: K-1\napi:\n  host: 10.0.0.1\n  port: 70000\n")
        #expect(found.count == 2)
    }
}
