import Foundation
import KioskAPI
import KioskCore
import KioskSeal
import KioskStore
import Logging

/// What happens when the citizen taps 提交.
///
/// 1. The state machine checks the application is complete (card on the reader, every field,
///    every material decided, the pledge signed where something is deferred).
/// 2. The personal part is sealed to the platform's key (the kiosk keeps no key that opens it).
/// 3. One SQLite transaction numbers the receipt and commits the case, its first event and its
///    outbox row (the platform's copy): either all of it is on disk, or nothing is.
/// 4. Only then is the receipt queued for printing; the screen shows it at once and falls back
///    to an on-screen receipt if the printer is out or slow.
extension SessionController {
    func submit() async throws(SessionError) {
        guard !submitting else { throw SessionError(.wrongStep, "正在提交，请稍候 (already submitting)") }
        let submission = try session.submission()
        guard let blueprint = session.blueprint else { return }
        submitting = true
        defer { submitting = false }
        let servedGeneration = generation
        let now = clock.now()
        let today = civilDay(now)
        let caseID = CaseID(at: now)
        // Sealed to the platform's key: from here on this kiosk cannot read it back. Each box
        // is bound to its case, so it opens nowhere else.
        guard let sealingKey else { throw SessionError(.wrongStep, IntakeStatus.unenrolledNotice) }
        let sealedApplication: Data
        let attachments: [NewAttachment]
        do {
            sealedApplication = try sealingKey.seal(
                KioskJSON.encoder().encode(
                    SealedApplication(
                        values: submission.values, materials: submission.materials, signaturePNG: nil,
                        sharedDataWaits: submission.sharedDataWaits, leftToDepartment: submission.leftToDepartment)),
                context: caseID.description)
            // The pledge's signature follows the case as an attachment of its own, sealed.
            attachments =
                try submission.signaturePNG.map {
                    [NewAttachment(id: "signature", kind: "signature", bytes: try sealingKey.seal($0, context: "\(caseID)/signature"))]
                } ?? []
        } catch {
            throw SessionError(.incomplete, "暂时无法保存申请，请联系工作人员 (the application could not be sealed)")
        }
        let declared = attachments.map {
            SubmittedAttachment(id: $0.id, kind: $0.kind, length: $0.bytes.count, sha256: ContentHash.sha256Hex($0.bytes))
        }
        let prefill = Dictionary(grouping: submission.values.values, by: \.source).mapValues(\.count)
        let (division, kiosk, kioskID, outbox) = (settings.divisionCode, settings.kioskNumber, self.kioskID, self.outbox)
        let citizenKey = lookup.citizenKey(idNumber: submission.idNumber)
        // The collection choice is read now, before the form is sealed away for good.
        let collection = submission.values[ResultCollection.field].flatMap { ResultCollection(option: $0.value) }
        let stored: NewCase
        do {
            stored = try await store.insertNumbered(dayTag: Self.dayTag(today)) { sequence in
                guard let number = ReceiptNumber(division: division, day: today, kiosk: kiosk, sequence: sequence) else {
                    throw StoreError(.other, "receipt number out of range (sequence \(sequence))")
                }
                let bundleCase = BundleCase(id: caseID, receipt: number, bundle: submission.bundle, day: today, at: now)
                let message = try outbox.message(
                    for: SubmittedApplication(
                        caseID: caseID.description, receiptNumber: number.description, bundle: submission.bundle.id,
                        bundleVersion: submission.bundle.version, kioskID: kioskID, receivedAt: now, materials: submission.materials,
                        sealedApplication: sealedApplication, prefill: prefill, simulatedIdentity: settings.identitySimulated,
                        attachments: declared, resultCollection: collection, items: submission.bundle.items.map(\.id)))
                var newCase = NewCase(
                    id: caseID.description, receiptNumber: number.description, bundleID: submission.bundle.id, createdAt: now,
                    outboxPayload: message, citizenKey: citizenKey,
                    detail: try KioskJSON.encoder().encode(bundleCase))
                newCase.attachments = attachments
                newCase.resultCollection = collection?.rawValue
                return newCase
            }
        } catch {
            logger.error("Case not stored", metadata: ["error": "\(error.code)", "bundle": "\(submission.bundle.id)"])
            throw SessionError(
                .incomplete,
                error.code == .diskFull
                    ? "终端存储空间不足，申请未能保存，请联系工作人员 (the kiosk's storage is full; nothing was submitted)"
                    : "申请未能保存，请稍后重试或联系工作人员 (the application could not be stored; nothing was submitted)")
        }
        logger.notice("Case received", metadata: ["case": "\(stored.id)", "bundle": "\(stored.bundleID)"])
        // The case is committed: from here on nothing may undo it, printing included. If the
        // session ended while the commit was waiting (timeout, start over), the receipt still
        // prints: the case exists and its citizen may be standing at the kiosk.
        let stillShown = generation == servedGeneration && session.step == .review
        if stillShown { try session.submitted(receiptNumber: stored.receiptNumber) }
        let schedule = calendar.map { blueprint.schedule(from: today, calendar: $0) }
        let items = blueprint.bundle.items.map { item in
            // An item waiting for shared data has no date to promise until the data is there.
            if let wait = submission.sharedDataWaits.first(where: { $0.item == item.id }) {
                var waiting = SessionView.ReceiptItem(name: item.name, department: item.department, promisedBy: nil)
                waiting.waitsFor = wait.fields.compactMap { key in blueprint.form.first { $0.definition.key == key }?.definition.label }
                return waiting
            }
            let promised = schedule?.items.first { $0.item == item.id }?.promisedDeadline.date
            return SessionView.ReceiptItem(name: item.name, department: item.department, promisedBy: promised?.description)
        }
        let document = receiptDocument(
            number: stored.receiptNumber, at: now, blueprint: blueprint, submission: submission, items: items, today: today,
            leftToDepartment: session.fieldsLeftToDepartment)
        if stillShown {
            submittedCase = SubmittedCase(
                caseID: stored.id, number: stored.receiptNumber, document: document, items: items, print: .printing)
        } else {
            logger.warning("Session ended while its case was committed; printing the receipt anyway", metadata: ["case": "\(stored.id)"])
        }
        await printReceipt(document)
    }

    /// The kiosk's civil day for `date`, in the site's time zone.
    func civilDay(_ date: Date) -> CivilDate { CivilDate(date, in: settings.timeZone) }

    /// `20261130`: the day part of the receipt numbering's high-water mark.
    static func dayTag(_ day: CivilDate) -> String { day.description.replacingOccurrences(of: "-", with: "") }
}
