import KioskAPI
import KioskCore

/// What the screen may show of the session: personal values only on the steps that show them,
/// numbers read from the card or shared data masked.
extension SessionController {
    func view() -> SessionView {
        let remaining: Duration = max(.zero, idleRemaining)
        let idle = SessionView.Idle(
            timeoutSeconds: Int(settings.idleTimeout.components.seconds), remainingSeconds: Int(remaining.components.seconds),
            countdownSeconds: Int(settings.countdown.components.seconds))
        var view = SessionView(
            step: session.step, alert: session.alert?.rawValue, cardPresent: session.cardPresent, idle: idle,
            online: intake.online || settings.platformOnline, sequence: sequence)
        guard !session.isIdle else { return view }
        if let blueprint = session.blueprint {
            let bundle = blueprint.bundle
            view.bundle = .init(
                id: bundle.id, name: bundle.name, leadDepartment: bundle.leadDepartment,
                items: bundle.items.map {
                    .init(name: $0.name, department: $0.department, promisedDays: Self.chinese($0.promisedLimit))
                })
            var cardNames: [String] = []
            for type in bundle.cardTypes where !cardNames.contains(type.chineseName) { cardNames.append(type.chineseName) }
            view.bundle?.cardTypes = cardNames.isEmpty ? nil : cardNames
            view.bundle?.window = bundle.window
            if !bundle.questions.isEmpty {
                view.questions = bundle.questions.map { q in
                    .init(
                        id: q.id, text: q.text, answers: q.answers.map { .init(id: $0.id, label: $0.label) },
                        answer: blueprint.situation[q.id])
                }
                view.skipped = blueprint.skipped.filter { !$0.reason.isEmpty }.map {
                    .init(key: $0.definition.key, label: $0.definition.label, reason: $0.reason)
                }
            }
            view.cardRefusal = session.cardRefusal
            let due = calendar.map { blueprint.materialDueDates(from: civilDay(clock.now()), calendar: $0) } ?? [:]
            view.materials = blueprint.materials.map { m in
                let choice = session.materials[m.definition.id]
                var material = SessionView.Material(
                    id: m.definition.id, name: m.definition.name, original: m.definition.originalRequired,
                    choice: choice, allowed: session.allowedChoices(for: m))
                if choice == .deferred || choice == .window { material.dueBy = due[m.definition.id]?.description }
                if choice == .window { material.place = bundle.window }
                return material
            }
            view.needsPledge = session.needsPledge
            view.signed = session.signaturePNG != nil
        }
        if [.form, .materials, .review].contains(session.step), let blueprint = session.blueprint {
            view.form = blueprint.form.map { field in
                let value = session.values[field.definition.key]
                let options = field.definition.type.options
                // Numbers read from the card or shared data are shown masked; what the citizen
                // typed is theirs to see and correct.
                let shown =
                    [.idNumber, .socialSecurityNumber].contains(field.definition.type) && value?.source != .citizen
                    ? value.map { Self.maskedID($0.value) } : value?.value
                let answered = session.isAnswered(field.definition.key)
                let department = session.isLeftToDepartment(field)
                let waiting = session.waitsFor(field)
                var shownField = SessionView.Field(
                    key: field.definition.key, label: field.definition.label, type: field.definition.type.name, options: options,
                    value: shown,
                    source: answered ? "situation" : department ? "department" : waiting ? "waiting" : value?.source.rawValue,
                    editable: session.isEditable(field),
                    asked: !answered && !department && !waiting && (value == nil || value?.source == .citizen))
                shownField.required = field.required
                return shownField
            }
            view.applicant = session.card.map { Self.maskedName($0.name) }
            if !blueprint.notCardHolder.isEmpty { view.onBehalf = true }
        }
        if let submitted = submittedCase, [.receipt, .rating].contains(session.step) {
            view.receipt = .init(number: submitted.number, items: submitted.items, print: submitted.print)
        }
        if [.queryCard, .queryConsent, .certificate].contains(session.step) {
            view.certificate = certificateVisit?.view
            view.cardRefusal = session.cardRefusal
            if session.step != .queryCard { view.applicant = session.card.map { Self.maskedName($0.name) } }
        }
        if session.step == .progress {
            view.applicant = session.card.map { Self.maskedName($0.name) }
            view.progress = progress
        }
        return view
    }

    /// `3个工作日`, `20个自然日`: how a citizen reads a time limit.
    static func chinese(_ limit: TimeLimit) -> String {
        "\(limit.days)个\(limit.counting == .working ? "工作日" : "自然日")"
    }

    /// `张*明` (``Masking``).
    static func maskedName(_ name: String) -> String { Masking.name(name) }

    /// `110105********1234` (``Masking``).
    static func maskedID(_ number: String) -> String { Masking.number(number) }
}
