import Foundation
import KioskAPI
import KioskCore
import KioskDevices
import KioskDocuments
import KioskPrinting
import KioskStore
import Logging

/// The edges a result print needs: the platform's documents and the A4 printer.
struct ResultDesk: Sendable {
    let source: any ResultDocumentSource
    let printer: any PDFPrinter
}

/// The results "check my progress" offers in this session (统一出件), and the one print under way.
struct ResultCounter {
    /// A result ready for an item of the citizen's case.
    struct Entry: Sendable {
        var caseID: String
        var receiptNumber: String
        var item: String
        var collection: ResultCollection?
        var sha256: String
        var length: Int64
        /// Times printed at this kiosk before (a further print is a reprint, 补打).
        var printed: Int
    }

    /// A print of one result: its state and the citizen's words for it.
    struct Print: Sendable {
        var key: String
        var state: String
        var message: String?
        var job: Int?
    }

    var entries: [String: Entry] = [:]
    var current: Print?

    static func key(receiptNumber: String, item: String) -> String { "\(receiptNumber)/\(item)" }
}

/// 统一出件: a citizen who chose 自助终端打印 finds a ready result under "check my progress" and
/// prints it here. The PDF comes from the platform over the kiosk's own channel, is checked, and
/// lives in memory only until CUPS has it; only a job CUPS reports completed counts as delivered,
/// recorded here and queued for the platform in one transaction (the relay reports it once).
extension SessionController {
    /// Results are printed here from now on: downloaded from `source`, printed on `printer`.
    public func use(results source: any ResultDocumentSource, printer: (any PDFPrinter)?) {
        resultDesk = printer.map { ResultDesk(source: source, printer: $0) }
    }

    /// The result part of an item in "check my progress", remembered for a print (nil: no result yet).
    func resultView(for stored: StoredCase, item: String, status: PlatformItemStatus?, printed: Int) -> ResultCollectionView? {
        guard let status, status.resultReady, let sha256 = status.resultSHA256, let length = status.resultLength else { return nil }
        let collection = stored.resultCollection.flatMap(ResultCollection.init(rawValue:))
        let key = ResultCounter.key(receiptNumber: stored.receiptNumber, item: item)
        resultCounter.entries[key] = ResultCounter.Entry(
            caseID: stored.id, receiptNumber: stored.receiptNumber, item: item, collection: collection, sha256: sha256, length: length,
            printed: printed)
        return resultView(key)
    }

    /// The view of a remembered result, with the print under way if it is this one.
    private func resultView(_ key: String) -> ResultCollectionView? {
        guard let entry = resultCounter.entries[key] else { return nil }
        let printable = entry.collection == .kiosk && resultDesk != nil
        let notice: String =
            if entry.printed > 0 {
                "已领取（本终端已打印 \(entry.printed) 次，可补打）"
            } else if entry.collection == .kiosk, resultDesk == nil {
                "本终端暂不能打印，请到服务窗口领取"
            } else {
                entry.collection?.notice ?? ResultCollection.window.notice
            }
        let current = resultCounter.current?.key == key ? resultCounter.current : nil
        return ResultCollectionView(
            collection: (entry.collection ?? .window).rawValue, notice: notice, printable: printable, printed: entry.printed,
            printState: current?.state, printMessage: current?.message)
    }

    /// Prints a ready result of one of the citizen's cases (or prints it again, 补打).
    public func printResult(receiptNumber: String, item: String, token: String?) async throws(SessionFailure) -> SessionView {
        try checkToken(token)
        touch()
        let key = ResultCounter.key(receiptNumber: receiptNumber, item: item)
        guard session.step == .progress, let entry = resultCounter.entries[key], entry.collection == .kiosk else {
            throw SessionFailure(.refused, reason: "no-result", "没有可在本终端打印的办理结果 (no result to print here)")
        }
        guard let desk = resultDesk else {
            throw SessionFailure(.unavailable, reason: "no-printer", "本终端暂不能打印办理结果，请到服务窗口领取。")
        }
        if let current = resultCounter.current, ["downloading", "printing", "waiting"].contains(current.state) {
            throw SessionFailure(.refused, reason: "printing", "正在打印，请稍候 (a result is printing)")
        }
        let served = generation
        showPrint(key, "downloading", "正在从政务服务平台获取办理结果…")
        let pdf: Data
        do {
            pdf = try await desk.source.document(caseID: entry.caseID, item: item, sha256: entry.sha256, length: entry.length)
        } catch {
            logger.warning(
                "Result not printed: the document could not be had",
                metadata: ["case": "\(entry.caseID)", "item": "\(item)", "error": "\(error.code)"])
            let unreachable = error.code == .unreachable
            let message =
                unreachable
                ? "暂时无法连接政务服务平台，办理结果未能打印。请稍后再试，或到服务窗口领取。"
                : "办理结果暂时无法获取，未能打印。请到服务窗口领取。"
            if generation == served { showPrint(key, "failed", message) }
            throw SessionFailure(.unavailable, reason: unreachable ? "platform-unreachable" : "result-unavailable", message)
        }
        guard generation == served else {
            throw SessionFailure(.noSession, reason: "no-session", "会话已结束，请重新开始 (the session has ended; start again)")
        }
        let job: Int
        do {
            job = try await desk.printer.submit(
                pdf: pdf, paper: .a4, title: Self.resultPrintTitle(receiptNumber: receiptNumber, item: item))
        } catch {
            logger.error("Result not printed: the printer refused the job", metadata: ["case": "\(entry.caseID)", "error": "\(error)"])
            let message = "打印机暂不可用，办理结果未能打印。请联系工作人员，或到服务窗口领取。"
            if generation == served { showPrint(key, "failed", message) }
            throw SessionFailure(.unavailable, reason: "printer-unavailable", message)
        }
        // CUPS holds the document now; the kiosk keeps none of it.
        guard generation == served else {
            try? await desk.printer.cancel(job)
            throw SessionFailure(.noSession, reason: "no-session", "会话已结束，请重新开始 (the session has ended; start again)")
        }
        resultCounter.current?.job = job
        // Remembered until it ends: a job that completes while kioskd is down is still delivered.
        do {
            try await store.beginResultPrint(job: job, caseID: entry.caseID, item: item, resultSHA256: entry.sha256, at: clock.now())
        } catch {
            logger.warning("Result print not remembered across a restart", metadata: ["job": "\(job)", "error": "\(error.code)"])
        }
        showPrint(key, "printing", "正在打印，请稍候…")
        let printer = desk.printer
        schedule { [weak self] in await self?.followResult(job: job, entry: entry, printer: printer, generation: served) }
        return view()
    }

    /// Follows the job to its end; only a completed job is a delivery.
    private func followResult(job: Int, entry: ResultCounter.Entry, printer: any PDFPrinter, generation served: Int) async {
        let key = ResultCounter.key(receiptNumber: entry.receiptNumber, item: entry.item)
        let outcome: PrinterOutcome
        do {
            outcome = try await printer.waitForEnd(of: job) { [weak self] fault in
                await self?.resultFault(fault, key: key, generation: served)
            }
        } catch {
            outcome = .failed("\(error)")
        }
        guard outcome == .completed else {
            logger.warning("Result print did not complete", metadata: ["case": "\(entry.caseID)", "outcome": "\(outcome)"])
            try? await store.endResultPrint(job: job)
            if generation == served {
                showPrint(key, "failed", "打印未完成，办理结果未能打印。请联系工作人员，或到服务窗口领取。")
            }
            return
        }
        // Printed: recorded even if the session ended meanwhile (the paper is out of the printer).
        do {
            let delivery = try await store.recordDelivery(
                caseID: entry.caseID, item: entry.item, at: clock.now(), resultSHA256: entry.sha256, job: job)
            logger.notice(
                "Result delivered at the kiosk",
                metadata: ["case": "\(entry.caseID)", "item": "\(entry.item)", "reprint": "\(delivery.reprint)"])
        } catch {
            logger.error("Printed result not recorded", metadata: ["case": "\(entry.caseID)", "error": "\(error.code)"])
        }
        guard generation == served, resultCounter.entries[key] != nil else {
            changed("result-printed")
            return
        }
        resultCounter.entries[key]?.printed += 1
        showPrint(key, "printed", "办理结果已打印，请取走。", reason: "result-printed")
    }

    /// Result prints that had not ended when kioskd last stopped (killed, restarted), settled
    /// with CUPS: one completed meanwhile is a delivery, recorded and reported once; one still
    /// waiting is cancelled, since its citizen left with the old session. Runs off the start's
    /// path; a CUPS that does not answer leaves them for the next start.
    public func settleUnfinishedResultPrints() {
        guard let printer = resultDesk?.printer else { return }
        let store = self.store
        let logger = self.logger
        let clock = self.clock
        schedule {
            guard let unfinished = try? await store.unfinishedResultPrints() else { return }
            for print in unfinished {
                let outcome: PrinterOutcome?
                do {
                    // A print whose case is gone (purged) cannot be told from another job.
                    if let receipt = print.receiptNumber {
                        outcome = try await printer.outcome(
                            of: print.job, title: Self.resultPrintTitle(receiptNumber: receipt, item: print.item))
                    } else {
                        outcome = .anotherJob
                    }
                } catch {
                    logger.warning("Result print not settled: CUPS did not answer", metadata: ["job": "\(print.job)"])
                    continue
                }
                switch outcome {
                case .completed:
                    do throws(StoreError) {
                        try await store.recordDelivery(
                            caseID: print.caseID, item: print.item, at: clock.now(), resultSHA256: print.resultSHA256, job: print.job)
                        logger.notice(
                            "Result printed while kioskd was down: delivered",
                            metadata: ["case": "\(print.caseID)", "item": "\(print.item)"])
                    } catch {
                        logger.error("Printed result not recorded", metadata: ["case": "\(print.caseID)", "error": "\(error.code)"])
                    }
                case nil:
                    logger.notice("Result print cancelled: its session ended with kioskd", metadata: ["job": "\(print.job)"])
                    try? await printer.cancel(print.job)
                    try? await store.endResultPrint(job: print.job)
                case PrinterOutcome.anotherJob?:
                    // Another job under that number is left alone: only our record goes.
                    logger.notice("Remembered result print is another job now: forgotten", metadata: ["job": "\(print.job)"])
                    try? await store.endResultPrint(job: print.job)
                case .canceled, .failed:
                    try? await store.endResultPrint(job: print.job)
                }
            }
        }
    }

    /// A printer fault while the result waits (paper out): the citizen is told plainly.
    private func resultFault(_ fault: DeviceFault?, key: String, generation served: Int) {
        guard generation == served, let current = resultCounter.current, current.key == key else { return }
        let state = fault == nil ? "printing" : "waiting"
        guard state != current.state else { return }
        showPrint(
            key, state,
            fault == nil
                ? "正在打印，请稍候…"
                : "打印机缺纸或故障，办理结果暂未打印。请联系工作人员处理；如您离开，打印任务将被取消，可稍后凭身份证再来打印。")
    }

    /// Updates the print's state, in the counter and in the progress list on screen.
    private func showPrint(_ key: String, _ state: String, _ message: String, reason: String = "result-print") {
        let job = resultCounter.current?.key == key ? resultCounter.current?.job : nil
        resultCounter.current = ResultCounter.Print(key: key, state: state, message: message, job: job)
        if let entry = resultCounter.entries[key], let view = resultView(key) {
            for index in progress.indices where progress[index].receiptNumber == entry.receiptNumber {
                for itemIndex in progress[index].items.indices where progress[index].items[itemIndex].id == entry.item {
                    progress[index].items[itemIndex].result = view
                    if view.printed > 0 { progress[index].items[itemIndex].label = "已领取" }
                }
            }
        }
        changed(reason)
    }

    /// A result print's CUPS title: what `settleUnfinishedResultPrints` checks the remembered
    /// job by, so that a number CUPS reused for another job is never taken for ours. Names
    /// the receipt and the item, never the person (and is what kioskd always used).
    static func resultPrintTitle(receiptNumber: String, item: String) -> String { "result \(receiptNumber) \(item)" }

    /// The session ends: a job still printing or waiting is cancelled, and the counter forgotten.
    func closeResultCounter() {
        if let current = resultCounter.current, let job = current.job, ["printing", "waiting"].contains(current.state),
            let printer = resultDesk?.printer
        {
            logger.notice("Result print cancelled: the session ended", metadata: ["job": "\(job)"])
            schedule { try? await printer.cancel(job) }
        }
        resultCounter = ResultCounter()
    }
}
