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
            view.bundle = .init(
                id: blueprint.bundle.id, name: blueprint.bundle.name, leadDepartment: blueprint.bundle.leadDepartment,
                items: blueprint.bundle.items.map {
                    .init(name: $0.name, department: $0.department, promisedDays: Self.chinese($0.promisedLimit))
                })
            view.materials = blueprint.materials.map { m in
                var allowed: [MaterialChoice] = [.provided]
                if m.disposition == .obtainedElectronically { allowed.append(.electronic) }
                if m.disposition == .deferrable { allowed.append(.deferred) }
                return .init(
                    id: m.definition.id, name: m.definition.name, original: m.definition.originalRequired,
                    choice: session.materials[m.definition.id], allowed: allowed)
            }
            view.needsPledge = session.needsPledge
            view.signed = session.signaturePNG != nil
        }
        if [.form, .materials, .review].contains(session.step), let blueprint = session.blueprint {
            view.form = blueprint.form.map { field in
                let value = session.values[field.definition.key]
                var options: [String]?
                if case let .enumeration(list) = field.definition.type { options = list }
                // Numbers read from the card or shared data are shown masked; what the citizen
                // typed is theirs to see and correct.
                let shown =
                    field.definition.type == .idNumber && value?.source != .citizen
                    ? value.map { Self.maskedID($0.value) } : value?.value
                return .init(
                    key: field.definition.key, label: field.definition.label, type: field.definition.type.name, options: options,
                    value: shown, source: value?.source.rawValue, editable: session.isEditable(field),
                    asked: value == nil || value?.source == .citizen)
            }
            view.applicant = session.card.map { Self.maskedName($0.name) }
        }
        if let submitted = submittedCase, [.receipt, .rating].contains(session.step) {
            view.receipt = .init(number: submitted.number, items: submitted.items, print: submitted.print)
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

    /// `张*明`: enough for the citizen to recognise, not for a passer-by to learn.
    static func maskedName(_ name: String) -> String {
        let characters = Array(name)
        switch characters.count {
        case 0, 1: return name
        case 2: return "\(characters[0])*"
        default: return "\(characters[0])" + String(repeating: "*", count: characters.count - 2) + "\(characters[characters.count - 1])"
        }
    }

    /// `110105********1234`.
    static func maskedID(_ number: String) -> String {
        guard number.count > 10 else { return String(repeating: "*", count: number.count) }
        return String(number.prefix(6)) + String(repeating: "*", count: number.count - 10) + String(number.suffix(4))
    }
}
