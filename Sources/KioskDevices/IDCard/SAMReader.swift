import KioskCore

/// The SAM commands over one transport: encodes requests, waits for replies with the
/// command's timeout, checks statuses and decodes reply data.
///
/// Blocking transport calls run on the reader's own ``BlockingCallQueue``, so a slow reader
/// never holds a thread of the concurrency pool, and commands never interleave on the wire.
public final class SAMReader: Sendable {
    /// The transport commands travel over.
    public let transport: any SAMTransport
    /// Per-command timeouts.
    public let timeouts: SAMTimeouts
    /// How many times a command is sent again after line noise (bad checksum either way).
    public let retriesOnLineNoise: Int
    private let calls: BlockingCallQueue

    /// Creates a reader over an open transport.
    public init(transport: any SAMTransport, timeouts: SAMTimeouts = .init(), retriesOnLineNoise: Int = 1) {
        self.transport = transport
        self.timeouts = timeouts
        self.retriesOnLineNoise = retriesOnLineNoise
        self.calls = BlockingCallQueue(label: "kiosk.idcard.\(transport.name)")
    }

    /// Sends `command` and returns the response whatever its status.
    public func send(_ command: SAMCommand) async throws(IDCardReaderError) -> SAMResponse {
        let request = command.frame.bytes
        let timeout = timeouts.timeout(for: command)
        var attempt = 0
        while true {
            do throws(IDCardReaderError) {
                let frame = try await perform { transport, cancellation throws(IDCardReaderError) in
                    try transport.exchange(request, timeout: timeout, cancellation: cancellation)
                }
                let response: SAMResponse
                do {
                    response = try SAMResponse(frame)
                } catch {
                    throw IDCardReaderError.protocolError(error, in: command)
                }
                if response.status.outcome == .retryCommand && attempt < retriesOnLineNoise {
                    attempt += 1
                    continue
                }
                return response
            } catch  where error.code == .protocolError && attempt < retriesOnLineNoise {
                attempt += 1
            }
        }
    }

    /// Sends `command` and returns the response data, throwing for any status but `accepted`.
    @discardableResult
    public func expect(
        _ command: SAMCommand, accepting accepted: Set<SAMStatus>? = nil
    ) async throws(IDCardReaderError)
        -> SAMResponse
    {
        let response = try await send(command)
        guard (accepted ?? [command.successStatus]).contains(response.status) else {
            throw IDCardReaderError.status(response.status, to: command)
        }
        return response
    }

    /// Resets the security module.
    public func resetSAM() async throws(IDCardReaderError) { try await expect(.resetSAM) }

    /// Checks that the security module answers and is working.
    public func checkSAM() async throws(IDCardReaderError) { try await expect(.samStatus) }

    /// Reads the security module's id.
    public func readSAMID() async throws(IDCardReaderError) -> SAMID {
        let response = try await expect(.readSAMID)
        do {
            return try SAMID(data: response.data)
        } catch {
            throw IDCardReaderError.protocolError(error, in: .readSAMID)
        }
    }

    /// Looks for a card: `true` when one is in the field, `false` for "no card".
    public func findCard() async throws(IDCardReaderError) -> Bool {
        let response = try await expect(.findCard, accepting: [.cardFound, .noCard])
        return response.status == .cardFound
    }

    /// Selects the card found and returns its serial.
    public func selectCard() async throws(IDCardReaderError) -> CardSerial {
        let response = try await expect(.selectCard)
        do {
            return try CardSerial(data: response.data)
        } catch {
            throw IDCardReaderError.protocolError(error, in: .selectCard)
        }
    }

    /// Reads the text and photo (and fingerprints if asked).
    public func readCard(withFingerprint: Bool = false) async throws(IDCardReaderError) -> SAMCardRecord {
        let command: SAMCommand = withFingerprint ? .readTextPhotoAndFingerprint : .readTextAndPhoto
        let response = try await expect(command)
        do {
            return try SAMCardRecord(data: response.data, withFingerprint: withFingerprint)
        } catch {
            throw IDCardReaderError.protocolError(error, in: command)
        }
    }

    /// Reads the additional address: its 70 bytes, or `nil` when the card has none (`91`).
    public func readAdditionalAddress() async throws(IDCardReaderError) -> [UInt8]? {
        let response = try await expect(.readAdditionalAddress, accepting: [.ok, .noData])
        return response.status == .noData ? nil : response.data
    }

    /// Switches the reader and then the host's line to `rate`.
    public func setBaudRate(_ rate: SAMBaudRate) async throws(IDCardReaderError) {
        try await expect(.setBaudRate(rate))
        try await perform { transport, _ throws(IDCardReaderError) in try transport.setLineSpeed(rate) }
    }

    /// Find, select and read in one go: the card's serial and record, or `nil` for no card.
    public func readPresentCard(
        withFingerprint: Bool = false, additionalAddress: Bool = true
    )
        async throws(IDCardReaderError) -> (serial: CardSerial, data: IDCardData)?
    {
        guard try await findCard() else { return nil }
        let serial = try await selectCard()
        let record = try await readCard(withFingerprint: withFingerprint)
        let extra = additionalAddress ? try await readAdditionalAddress() : nil
        do {
            return (serial, try record.cardData(additionalAddress: extra))
        } catch {
            throw IDCardReaderError.protocolError(error, in: .readTextAndPhoto)
        }
    }

    /// Closes the transport (on the reader's queue, after any command in flight).
    public func close() async {
        _ = try? await perform { transport, _ throws(IDCardReaderError) in transport.close() }
    }

    /// Runs blocking transport work on the queue; cancelling the task tells the work to stop,
    /// and work whose task was cancelled before it started is skipped.
    private func perform<T: Sendable>(
        _ work: @escaping @Sendable (any SAMTransport, IOCancellation) throws(IDCardReaderError) -> T
    ) async throws(IDCardReaderError) -> T {
        let transport = self.transport
        return try await calls.run(ifCancelledBeforeStart: IDCardReaderError(.cancelled, "cancelled")) {
            cancellation throws(IDCardReaderError) -> T in
            try work(transport, cancellation)
        }
    }
}
