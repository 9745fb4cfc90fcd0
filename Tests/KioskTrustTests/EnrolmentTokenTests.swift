import Foundation
import KioskTrust
import Testing

@Suite("Enrolment tokens")
struct EnrolmentTokenTests {
    @Test("A token never starts with '-' (the command line would take it for an option), and reads back as made")
    func neverAnOption() throws {
        let authority = Array("a CA certificate's DER".utf8)
        for _ in 0..<2000 {
            let token = EnrolmentToken.make(authorityDER: authority)
            #expect(!token.description.hasPrefix("-"), "\(token)")
            #expect(EnrolmentToken(token.description) == token)
        }
    }
}
