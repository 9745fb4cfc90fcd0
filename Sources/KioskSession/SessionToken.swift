/// The secret the screen presents with every action: 128 random bits, compared in constant
/// time, so that another local process cannot take over a citizen's session.
struct SessionToken: Sendable, Equatable {
    let value: String

    /// A fresh random token.
    init() {
        var generator = SystemRandomNumberGenerator()
        let digits = Array("0123456789abcdef")
        value = String((0..<32).map { _ in digits[Int(generator.next(upperBound: UInt8(16)))] })
    }

    /// Whether `presented` is this token; the time taken does not depend on where they differ.
    func matches(_ presented: String?) -> Bool {
        guard let presented else { return false }
        let x = Array(value.utf8), y = Array(presented.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
