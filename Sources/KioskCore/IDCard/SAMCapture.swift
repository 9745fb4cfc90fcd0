import Foundation

/// What a captured frame is, for `kioskctl idcard decode`: request or response, status and
/// outcome, and the data interpreted by its shape.
public struct SAMCapture: Sendable, Encodable {
    /// Request or response.
    public var direction: String
    /// `LEN` as on the wire.
    public var length: Int
    public var checksum: String
    /// Requests: the command, when known.
    public var command: String?
    /// Responses: the status byte and what it means.
    public var status: String?
    public var meaning: String?
    public var outcome: SAMOutcome?
    /// Responses: which reply the data looks like (`text-and-photo`, `sam-id`, `card-serial`...).
    public var reply: String?
    public var dataLength: Int
    public var samID: String?
    public var cardSerial: String?
    public var card: IDCardData?
    public var additionalAddress: String?

    /// Interprets one frame. A response's data is recognised by its size and length fields;
    /// data that claims to be a read reply but is inconsistent is an error.
    public init(_ frame: SAMFrame) throws(SAMProtocolError) {
        length = frame.length
        checksum = hex(frame.checksum)
        // No request carries data, and every response has three status bytes.
        if frame.payload.count == 2 {
            let request = try SAMRequest(frame)
            direction = "request"
            command = request.knownCommand?.description ?? "unknown \(hex(request.command)) \(hex(request.parameter))"
            dataLength = 0
            return
        }
        let response = try SAMResponse(frame)
        direction = "response"
        status = hex(response.status.rawValue)
        meaning = response.status.meaning
        outcome = response.status.outcome
        dataLength = response.data.count
        let data = response.data
        switch data.count {
        case 0:
            reply = "status-only"
        case 4 where response.status == .cardFound:
            reply = "find-card"
        case 8:
            reply = "card-serial"
            cardSerial = try CardSerial(data: data).description
        case 16:
            reply = "sam-id"
            samID = try SAMID(data: data).description
        case IDCardTextBlock.additionalAddressSize:
            reply = "additional-address"
            additionalAddress = IDCardTextBlock.decodeAdditionalAddress(data)
        default:
            // A read reply: TL PL [FL]; the fingerprint form has six length bytes.
            let withFingerprint =
                data.count >= 6
                && 6 + (Int(data[0]) << 8 | Int(data[1])) + (Int(data[2]) << 8 | Int(data[3]))
                    + (Int(data[4]) << 8 | Int(data[5])) == data.count
            let record = try SAMCardRecord(data: data, withFingerprint: withFingerprint)
            reply = withFingerprint ? "text-photo-and-fingerprint" : "text-and-photo"
            card = try record.cardData()
        }
    }
}

extension IDCardData {
    /// A copy safe to show on a technician's screen: names, numbers, dates and addresses are
    /// cut to a hint (first character, area prefix, year), the photo and fingerprints dropped.
    public func masked() -> IDCardData {
        func hint(_ text: String?, keep: Int) -> String? {
            guard let text, !text.isEmpty else { return text }
            return String(text.prefix(keep)) + String(repeating: "*", count: max(0, text.count - keep))
        }
        var copy = self
        copy.name = hint(name, keep: 1) ?? ""
        copy.chineseName = hint(chineseName, keep: 1)
        copy.englishName = hint(englishName, keep: 1)
        copy.birthDate = hint(birthDate, keep: 4) ?? ""
        copy.address = hint(address, keep: 6)
        copy.additionalAddress = hint(additionalAddress, keep: 6)
        copy.idNumber = hint(idNumber, keep: 6) ?? ""
        copy.passNumber = hint(passNumber, keep: 1)
        copy.photo = CardPhoto(wlt: [], state: photo.state == .notDecodableHere ? .notDecodableHere : .decodeFailed(reason: "hidden"))
        copy.fingerprint = fingerprint.map { _ in Data() }
        return copy
    }
}
