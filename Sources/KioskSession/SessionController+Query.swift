import Foundation
import KioskAPI
import KioskCore
import KioskDevices
import KioskPrinting
import Logging

/// 查询打印: a service from the platform's signed list is chosen, the card placed, consent
/// given; the platform answers with the certificate, printed on the A4 printer through CUPS.
/// The PDF lives in this process's memory (and the CUPS spool) only while its job runs.
extension SessionController {
    /// A query visit under way: what the screen shows, and the print job to cancel if the
    /// session ends before the paper is out (no certificate prints for nobody).
    struct CertificateVisit {
        var queryID = UUID().uuidString.lowercased()
        var view: CertificateView
        var job: (printer: any PDFDocumentPrinter, id: Int)?
        var ended = false
    }

    /// Starts a query visit for `id`, or says upfront why it cannot be done here now: before
    /// the citizen places a card.
    public func startQuery(_ id: String, token presented: String? = nil) async throws(SessionFailure) -> SessionView {
        if !session.isIdle { try checkToken(presented) }
        guard let service = queryServices.first(where: { $0.id == id }) else {
            throw SessionFailure(.unknown, reason: "unknown-service", "没有该服务 (no such service)")
        }
        if maintenanceBy != nil { throw SessionFailure(.unavailable, reason: "maintenance", IntakeStatus.maintenanceNotice) }
        guard intake.online || settings.platformOnline, certificates != nil else {
            throw SessionFailure(
                .unavailable, reason: "platform-offline",
                "“\(service.name)”需要连接政务服务平台查询，当前网络不可用。您可以先办理“一件事”（离线收件后联网上报），或查询本终端的办件进度、补打回执。")
        }
        guard await printQueue?.pdfPrinter() != nil else {
            throw SessionFailure(
                .unavailable, reason: "no-printer", "本机的A4打印机暂不可用，“\(service.name)”无法打印。请到服务窗口办理，或使用其他自助终端。")
        }
        var fresh = CitizenSession()
        do throws(SessionError) {
            try fresh.chooseQuery(
                QueryChoice(id: service.id, name: service.name, cardTypes: service.cardTypes.compactMap(IDCardType.init(rawValue:))))
        } catch {
            throw SessionFailure(refused: error)
        }
        if !session.isIdle { end(reason: "replaced") }
        session = fresh
        certificateVisit = CertificateVisit(
            view: CertificateView(state: "card", serviceName: service.name, holds: service.holds.isEmpty ? nil : service.holds))
        let token = SessionToken()
        self.token = token
        touch()
        sessionStarted.yield()
        updateCardDemand()
        changed("query-started")
        var view = view()
        view.token = token.value
        return view
    }

    /// The citizen agreed on the consent screen: ask the platform, then print.
    func consentToQuery() throws(SessionError) {
        try session.consentToQuery()
        guard let card = session.card, let query = session.query, var visit = certificateVisit, let source = certificates else {
            throw SessionError(.wrongStep, "请重新选择服务 (choose the service again)")
        }
        visit.view.state = "asking"
        visit.view.message = "正在向政务服务平台查询，请稍候…"
        certificateVisit = visit
        let served = generation
        let queryID = visit.queryID
        schedule { [weak self] in
            let answer = await source.certificate(queryID: queryID, service: query.id, idNumber: card.idNumber, cardType: card.type)
            await self?.answered(answer, service: query.id, generation: served)
        }
    }

    private func answered(_ answer: CertificateAnswer, service: String, generation served: Int) async {
        guard generation == served, var visit = certificateVisit else { return }
        switch answer {
        case let .refused(message):
            visit.view.state = "refused"
            visit.view.message = message
            certificateVisit = visit
            changed("certificate-refused")
        case .unreachable:
            visit.view.state = "unreachable"
            visit.view.message = "暂时无法连接政务服务平台，证明未能查询，未产生任何费用或记录。请稍后持同一证件再来，或到服务窗口办理。"
            certificateVisit = visit
            changed("certificate-unreachable")
        case let .issued(certificate):
            visit.view.verificationCode = certificate.verificationCode
            visit.view.preview = certificate.preview.map { CertificateView.Line(label: $0.label, value: $0.value) }
            visit.view.state = "printing"
            visit.view.message = "证明正在打印，请在下方出纸口取走。"
            certificateVisit = visit
            changed("certificate-printing")
            await printCertificate(certificate.pdf, service: service, generation: served)
        }
    }

    private func printCertificate(_ pdf: Data, service: String, generation served: Int) async {
        guard let printer = await printQueue?.pdfPrinter() else {
            finishCertificate("failed", "本机的A4打印机暂不可用，证明未能打印。请到服务窗口办理，或稍后持同一证件再来。", served)
            return
        }
        let job: Int
        do {
            job = try await printer.submit(pdf: pdf, title: "certificate")
        } catch {
            logger.error("Certificate not sent to the printer", metadata: ["service": "\(service)", "error": "\(type(of: error))"])
            finishCertificate("failed", "打印机未能接收证明，证明未能打印。请稍后持同一证件再来，或到服务窗口办理。", served)
            return
        }
        guard generation == served, certificateVisit != nil else {
            // The session ended while the job was being sent: nobody is there to take it.
            try? await printer.cancel(job)
            return
        }
        certificateVisit?.job = (printer, job)
        let outcome: PrinterOutcome
        do {
            outcome = try await printer.waitForEnd(of: job) { [weak self] fault in
                await self?.certificatePrinter(fault: fault, generation: served)
            }
        } catch {
            outcome = .failed("\(type(of: error))")
        }
        switch outcome {
        case .completed:
            logger.info("Certificate printed", metadata: ["service": "\(service)"])
            finishCertificate("printed", "证明已打印，请取走。如需核验，扫描证明上的二维码即可。", served)
        case .canceled:
            finishCertificate("failed", "打印已取消。请稍后持同一证件再来打印。", served)
        case let .failed(reason):
            logger.error("Certificate not printed", metadata: ["service": "\(service)", "reason": "\(reason)"])
            finishCertificate("failed", "打印失败，证明未能打印。请稍后持同一证件再来，或到服务窗口办理。", served)
        }
    }

    /// The printer reported a fault (paper out) while the certificate waits, or it cleared.
    private func certificatePrinter(fault reported: DeviceFault?, generation served: Int) {
        guard generation == served, var visit = certificateVisit, !visit.ended else { return }
        // A warning (paper low, toner low) does not stop the job: the citizen is not alarmed.
        let fault = reported.flatMap { $0.code.hasSuffix("-low") || $0.code.hasSuffix("-warning") ? nil : $0 }
        let state = fault == nil ? "printing" : "waiting"
        let message =
            fault == nil
            ? "证明正在打印，请在下方出纸口取走。"
            : "打印机暂时无法打印（\(Self.plain(fault))），证明正在等待打印，请联系现场工作人员。您也可以结束本次查询，稍后持同一证件再来。"
        guard visit.view.state != state || visit.view.message != message else { return }
        visit.view.state = state
        visit.view.message = message
        certificateVisit = visit
        touch()
        changed("certificate-\(state)")
    }

    private func finishCertificate(_ state: String, _ message: String, _ served: Int) {
        guard generation == served, var visit = certificateVisit else { return }
        visit.view.state = state
        visit.view.message = message
        visit.ended = true
        visit.job = nil
        certificateVisit = visit
        changed("certificate-\(state)")
    }

    /// At the session's end: a certificate still waiting in the printer is cancelled.
    func abandonCertificate() {
        guard let visit = certificateVisit else { return }
        certificateVisit = nil
        guard !visit.ended, let job = visit.job else { return }
        logger.notice("Certificate job cancelled: the session ended before it printed")
        schedule { try? await job.printer.cancel(job.id) }
    }

    /// A printer fault in the citizen's words.
    static func plain(_ fault: DeviceFault?) -> String {
        guard let fault else { return "" }
        switch fault.code {
        case "media-empty", "paper-out", "media-needed": return "缺纸"
        case "media-jam", "paper-jam": return "卡纸"
        case "door-open", "cover-open": return "机盖未关"
        case "offline", "stopped": return "打印机离线"
        default: return "打印机故障"
        }
    }
}
