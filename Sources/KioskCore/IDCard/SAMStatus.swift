/// The status byte `SW3` of a SAM response: what happened to the command.
public struct SAMStatus: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public init(_ rawValue: UInt8) { self.rawValue = rawValue }

    /// Command done.
    public static let ok = SAMStatus(0x90)
    /// No data for this item (no additional address): not an error.
    public static let noData = SAMStatus(0x91)
    /// Find card: a card is on the reader.
    public static let cardFound = SAMStatus(0x9F)
    /// Find card: no card (the normal answer while polling).
    public static let noCard = SAMStatus(0x80)
    /// Select card failed.
    public static let selectFailed = SAMStatus(0x81)
    /// Reading the card failed (moved or damaged).
    public static let readFailed = SAMStatus(0x41)
    /// The SAM received a frame with a bad checksum from us.
    public static let hostChecksumError = SAMStatus(0x10)
    /// The SAM received a frame with a bad length from us.
    public static let hostLengthError = SAMStatus(0x11)
    /// Command or parameter not understood.
    public static let commandError = SAMStatus(0x21)
    /// Operation not permitted.
    public static let notPermitted = SAMStatus(0x23)
    /// The SAM could not say what went wrong.
    public static let unrecognisedError = SAMStatus(0x24)
    /// Card and SAM could not authenticate each other.
    public static let cardAuthenticationFailed = SAMStatus(0x31)
    /// SAM and card could not authenticate each other.
    public static let samAuthenticationFailed = SAMStatus(0x32)
    /// The card's data did not verify.
    public static let dataVerificationFailed = SAMStatus(0x33)
    /// Not a card type this SAM knows.
    public static let unknownCardType = SAMStatus(0x40)
    /// The card did not give a random number.
    public static let getRandomFailed = SAMStatus(0x47)
    /// The SAM failed its self-test.
    public static let samSelfTestFailed = SAMStatus(0x60)
    /// The SAM is not authorised.
    public static let samNotAuthorised = SAMStatus(0x66)

    /// Every status the reference documents, for tests and technicians' tables.
    public static let documented: [SAMStatus] = [
        .ok, .noData, .cardFound, .noCard, .selectFailed, .readFailed, .hostChecksumError, .hostLengthError,
        .commandError, .notPermitted, .unrecognisedError, .cardAuthenticationFailed, .samAuthenticationFailed,
        .dataVerificationFailed, .unknownCardType, .getRandomFailed, .samSelfTestFailed, .samNotAuthorised,
    ]

    /// What the code means, in a technician's words.
    public var meaning: String {
        switch self {
        case .ok: "OK"
        case .noData: "no data for this item"
        case .cardFound: "card found"
        case .noCard: "no card on the reader"
        case .selectFailed: "select card failed"
        case .readFailed: "card read failed"
        case .hostChecksumError: "the reader received a frame with a bad checksum"
        case .hostLengthError: "the reader received a frame with a bad length"
        case .commandError: "command or parameter error"
        case .notPermitted: "operation not permitted"
        case .unrecognisedError: "unrecognised error"
        case .cardAuthenticationFailed, .samAuthenticationFailed: "card and security module could not authenticate each other"
        case .dataVerificationFailed: "card data verification failed"
        case .unknownCardType: "unrecognised card type"
        case .getRandomFailed: "the card did not answer the security challenge"
        case .samSelfTestFailed: "security module self-test failed"
        case .samNotAuthorised: "security module not authorised"
        default: "undocumented status"
        }
    }

    /// What the kiosk should do about it.
    public var outcome: SAMOutcome {
        switch self {
        case .ok, .cardFound: .success
        case .noData: .noData
        case .noCard: .noCard
        case .selectFailed, .readFailed, .getRandomFailed: .retryCard
        case .hostChecksumError, .hostLengthError: .retryCommand
        case .commandError, .notPermitted: .hostError
        case .cardAuthenticationFailed, .samAuthenticationFailed, .dataVerificationFailed: .cardNotVerifiable
        case .unknownCardType: .cardNotSupported
        case .samSelfTestFailed, .samNotAuthorised: .hardwareError
        default: .unrecognised
        }
    }

    /// `0x90 (OK)`.
    public var description: String { "\(hex(rawValue)) (\(meaning))" }
}

/// How the kiosk handles a SAM status; each case says who needs to act.
public enum SAMOutcome: String, Sendable, Hashable, Codable, CaseIterable {
    /// The command did what was asked.
    case success
    /// The item does not exist on this card (no additional address): not an error.
    case noData
    /// No card on the reader: normal while polling, keep polling.
    case noCard
    /// The card moved or was read badly: find, select and read it again.
    case retryCard
    /// The frame was damaged on the line: send the command again.
    case retryCommand
    /// We sent something the reader does not accept: a bug or a wrong profile.
    case hostError
    /// The card could not be verified (possibly damaged or counterfeit): tell the citizen.
    case cardNotVerifiable
    /// The card is not a kind this reader can read: tell the citizen.
    case cardNotSupported
    /// The reader's security module is broken or not authorised: a technician must act.
    case hardwareError
    /// A status the reference does not document: reset the reader.
    case unrecognised

    /// Whether the command succeeded (including "nothing to read" answers).
    public var isSuccess: Bool { self == .success || self == .noData }

    /// Whether the citizen must be told their card cannot be used here.
    public var concernsCitizen: Bool { self == .cardNotVerifiable || self == .cardNotSupported }

    /// What the citizen is told, when the outcome concerns them (no personal data).
    public var citizenMessage: String? {
        switch self {
        case .retryCard: "请将身份证平放在读卡区，不要移动。Please keep the card still on the reader."
        case .cardNotVerifiable: "此证件无法验证，请到人工窗口办理。This card cannot be verified; please go to a staffed counter."
        case .cardNotSupported: "本机无法读取此证件。This card cannot be read here."
        default: nil
        }
    }
}
