import KioskAPI
import Testing

@testable import KioskRuntime

/// The doctor's word on CUPS keeping printed documents (certificates, results) in its spool.
@Suite("The doctor's print-spool check")
struct SpoolCheckTests {
    @Test("CUPS' default keeps documents a day: a warning that says how to fix it; PreserveJobFiles No is OK")
    func preserveJobFiles() {
        let unset = Doctor.spoolCheck(cupsdConf: "LogLevel warn\nMaxLogSize 0\n")
        #expect(unset.result == .warn && unset.hint?.contains("PreserveJobFiles=No") == true, "\(unset)")
        let day = Doctor.spoolCheck(cupsdConf: "PreserveJobFiles 86400\n")
        #expect(day.result == .warn && day.detail.contains("86400"))
        let off = Doctor.spoolCheck(cupsdConf: "# comment\nPreserveJobFiles No\nPreserveJobHistory Yes\n")
        #expect(off.result == .ok, "\(off)")
        #expect(Doctor.spoolCheck(cupsdConf: nil).result == .warn)
    }
}
