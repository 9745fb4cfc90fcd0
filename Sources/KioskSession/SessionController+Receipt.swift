import Foundation
import KioskAPI
import KioskCore
import KioskDocuments
import KioskPrinting
import Logging

/// The receipt: built from the committed case, queued on the receipt printer, followed for
/// `printWait`, and shown on screen (number and QR code) when paper does not come out in time.
extension SessionController {
    func receiptDocument(
        number: String, at: Date, blueprint: BundleBlueprint, submission: SessionSubmission, items: [SessionView.ReceiptItem],
        today: CivilDate, leftToDepartment: [FormField] = []
    ) -> KioskDocument {
        let header = DocumentHeader(
            caseNumber: number, kioskID: kioskID, issuedAt: at,
            bundle: DocumentBundle(code: blueprint.bundle.id, name: blueprint.bundle.name),
            applicant: Self.maskedName(submission.applicantName), agent: submission.agentName.map(Self.maskedName),
            statusURL: settings.statusURL.replacingOccurrences(of: "{number}", with: number))
        // Within the pledge's term, and before the first item that needs the material is due.
        let dueDates = calendar.map { blueprint.materialDueDates(from: today, calendar: $0) } ?? [:]
        var materials = DocumentMaterials()
        for requirement in blueprint.materials {
            let name = requirement.definition.name
            let due = dueDates[requirement.definition.id] ?? today.adding(days: 14)
            switch submission.materials[requirement.definition.id] {
            case .provided?: materials.received.append(ReceivedMaterial(name: name, form: "现场提交"))
            case .electronic?: materials.electronic.append(ElectronicMaterial(name: name, source: "电子证照库"))
            case .deferred?:
                if let deadline = DocumentDate(due.description) {
                    materials.deferred.append(DeferredMaterial(name: name, deadline: deadline))
                }
            case .window?:
                if let deadline = DocumentDate(due.description) {
                    materials.window.append(WindowMaterial(name: name, deadline: deadline, place: blueprint.bundle.window))
                }
            case nil: break
            }
        }
        return .receipt(
            ReceiptDocument(
                header: header,
                items: items.map {
                    DocumentItem(name: $0.name, department: $0.department, promisedBy: $0.promisedBy.flatMap(DocumentDate.init))
                },
                materials: materials,
                departmentFields: leftToDepartment.map { DepartmentField(name: $0.definition.label) },
                waitingItems: items.compactMap { item in
                    item.waitsFor.map { WaitingItem(name: item.name, fields: $0.joined(separator: "、")) }
                }))
    }

    /// Queues the receipt durably, then follows it in `run()`'s task group: the print job
    /// belongs to the print queue, so the session ending never stops the printing.
    func printReceipt(_ document: KioskDocument) async {
        guard let printQueue, let printer = settings.receiptPrinter else {
            showOnScreen(document, reason: "no-printer")
            return
        }
        let job: PrintJob
        do {
            job = try await printQueue.enqueue(document, printer: printer, paper: settings.receiptPaper)
        } catch {
            logger.error("Receipt not queued", metadata: ["error": "\(error)"])
            showOnScreen(document, reason: "print-failed")
            return
        }
        let wait = settings.printWait
        schedule { [weak self] in
            do {
                let outcome = try await printQueue.outcome(of: job.id, timeout: wait)
                await self?.printed(outcome, number: document.header.caseNumber)
            } catch {
                await self?.showOnScreen(document, reason: "print-failed")
            }
        }
    }

    private func printed(_ outcome: PrintOutcome, number: String) {
        guard submittedCase?.number == number else { return }
        switch outcome {
        case .printed: submittedCase?.print = .printed
        case .sent: submittedCase?.print = .sent
        case let .showOnScreen(receipt, _):
            submittedCase?.print = .onScreen(reason: receipt.reason, qrSVG: receipt.qrSVG, statusURL: receipt.statusURL)
        }
        changed("printed")
    }

    private func showOnScreen(_ document: KioskDocument, reason: String) {
        guard submittedCase?.number == document.header.caseNumber else { return }
        if let receipt = try? ScreenReceipt(document: document, reason: reason) {
            submittedCase?.print = .onScreen(reason: receipt.reason, qrSVG: receipt.qrSVG, statusURL: receipt.statusURL)
        } else {
            submittedCase?.print = .failed
        }
        changed("printed")
    }

    /// 补打回执: the citizen's own receipt, found through "check my progress", printed again.
    func reprint(_ number: String) async throws(SessionError) {
        guard session.step == .progress, progress.contains(where: { $0.receiptNumber == number }) else {
            throw SessionError(.wrongStep, "只能补打本人的回执 (only your own receipts can be reprinted)")
        }
        let servedGeneration = generation
        guard let printQueue else {
            throw SessionError(.wrongStep, "打印机暂不可用 (no printer is available)")
        }
        let jobID: String?
        do { jobID = try await store.latestPrintJobID(caseNumber: number) } catch {
            throw SessionError(.wrongStep, "暂时无法补打，请联系工作人员 (cannot reprint now)")
        }
        guard let jobID else { throw SessionError(.wrongStep, "该回执没有打印记录，请到窗口办理 (no receipt on record)") }
        do {
            _ = try await printQueue.reprint(PrintJobID(rawValue: jobID), requestedBy: .citizenReprint, printer: settings.receiptPrinter)
            // The list may be gone (card lifted, session ended) while the reprint was queued.
            if generation == servedGeneration, let index = progress.firstIndex(where: { $0.receiptNumber == number }) {
                progress[index].reprinted = true
            }
        } catch {
            throw SessionError(.wrongStep, "补打失败，请联系工作人员 (the reprint failed)")
        }
    }
}
