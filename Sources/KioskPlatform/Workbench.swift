import Foundation
import KioskCore

/// The department workbench: server-rendered pages (no script) on a loopback listener, where a
/// department moves its items through the procedure and closes 差评 follow-ups. Every form
/// carries a token of this process, so a page elsewhere cannot post into it.
public struct Workbench: Sendable {
    let storage: any PlatformStorage
    let departments: Departments
    let catalog: Catalog
    let timeZone: TimeZone
    /// Put in every form and checked on every post.
    let formToken: String
    /// Holds the sealing keys: the case page opens the application for the department.
    let authority: PlatformAuthority?

    public init(
        storage: any PlatformStorage, departments: Departments, catalog: Catalog, timeZone: TimeZone, authority: PlatformAuthority? = nil
    ) {
        self.authority = authority
        self.storage = storage
        self.departments = departments
        self.catalog = catalog
        self.timeZone = timeZone
        formToken = BearerAuthenticator.newCredential()
    }

    // MARK: Pages

    func casesPage() async throws(PlatformError) -> String {
        let cases = try await storage.cases()
        let openFollowUps = try await storage.followUps().filter { $0.closedAt == nil }.count
        var rows = ""
        for summary in cases {
            let bundle = catalog.bundle(summary.bundle)?.name ?? summary.bundle
            let stages = summary.items.map { "\(Self.escape(itemName(summary.bundle, $0.id))): \(Self.label($0.stage))" }.joined(
                separator: "；")
            let waiting = summary.missingAttachments.isEmpty ? "" : "（待收附件 \(summary.missingAttachments.count) 个）"
            rows += """
                <tr data-case="\(Self.escape(summary.caseID))"><td><a href="/cases/\(Self.escape(summary.caseID))">\(Self.escape(summary.receiptNumber))</a></td>\
                <td>\(Self.escape(bundle))\(waiting)</td><td>\(Self.escape(summary.kioskName))</td><td>\(time(summary.receivedAt))</td><td>\(stages)</td></tr>

                """
        }
        let body = """
            <p><a href="/follow-ups">差评整改</a>（未办结 <span id="open-follow-ups">\(openFollowUps)</span> 件）</p>
            <table><thead><tr><th>受理编号</th><th>一件事</th><th>终端</th><th>收件时间</th><th>各事项</th></tr></thead>
            <tbody>\(rows.isEmpty ? "<tr><td colspan=5>暂无办件</td></tr>" : rows)</tbody></table>
            """
        return Self.page("办件", body)
    }

    func casePage(_ caseID: String, message: String? = nil, error: String? = nil) async throws(PlatformError) -> String? {
        guard let summary = try await storage.cases().first(where: { $0.caseID == caseID }) else { return nil }
        let bundle = catalog.bundle(summary.bundle)
        let deliveries = try await storage.deliveries(caseID: caseID)
        var items = ""
        for item in summary.items {
            let options = item.stage.legalNextStates.sorted { $0.rawValue < $1.rawValue }.map {
                "<option value=\"\($0.rawValue)\">\(Self.label($0))</option>"
            }.joined()
            let form =
                options.isEmpty
                ? "<td>已结束</td>"
                : """
                <td><form method="post" action="/cases/\(Self.escape(caseID))/items/\(Self.escape(item.id))">\
                <input type="hidden" name="token" value="\(formToken)">\
                <select name="stage">\(options)</select> <input name="reason" placeholder="理由（不予受理、补正、特别程序、不予许可时必填）" size="40">\
                <button type="submit">办理</button></form></td>
                """
            items += """
                <tr data-item="\(Self.escape(item.id))"><td>\(Self.escape(itemName(summary.bundle, item.id)))</td><td>\(Self.escape(item.department))</td>\
                <td class="stage">\(Self.label(item.stage))\(deliveryNote(deliveries.filter { $0.item == item.id }))</td>\(form)</tr>

                """
        }
        let waiting =
            summary.missingAttachments.isEmpty
            ? "" : "<p class=\"warn\">附件未齐（\(summary.missingAttachments.map(Self.escape).joined(separator: "、"))）：收齐前不能受理。</p>"
        let body = """
            <p><a href="/">← 全部办件</a></p>
            <h2>\(Self.escape(bundle?.name ?? summary.bundle)) · \(Self.escape(summary.receiptNumber))</h2>
            <p>终端 \(Self.escape(summary.kioskName)) · 收件 \(time(summary.receivedAt)) · 平台编号 \(Self.escape(summary.platformReceipt))</p>
            \(waiting)
            \(message.map { "<p class=\"ok\" id=\"message\">\(Self.escape($0))</p>" } ?? "")
            \(error.map { "<p class=\"error\" id=\"error\">\(Self.escape($0))</p>" } ?? "")
            <table><thead><tr><th>事项</th><th>部门</th><th>环节</th><th>办理</th></tr></thead><tbody>\(items)</tbody></table>
            \(try await applicationSection(caseID, bundle: summary.bundle))
            """
        return Self.page(summary.receiptNumber, body)
    }

    /// The application as the citizen gave it, opened here from its sealed form for the
    /// departments that handle the case (never stored opened, never cached: each view opens it).
    private func applicationSection(_ caseID: String, bundle: BundleID) async throws(PlatformError) -> String {
        guard let authority, let sealed = try await storage.sealedApplication(caseID: caseID) else { return "" }
        let application: SealedApplication
        do {
            let plain = try authority.openSealed(sealed, context: caseID)
            application = try JSONDecoder().decode(SealedApplication.self, from: plain)
        } catch {
            return "<h3>申请内容</h3><p class=\"error\" id=\"sealed-error\">申请内容无法解封：\(Self.escape("\(error)"))</p>"
        }
        var rows = ""
        for (key, value) in application.values.sorted(by: { $0.key < $1.key }) {
            let label = catalog.fields[key]?.label ?? key
            rows += "<tr data-field=\"\(Self.escape(key))\"><td>\(Self.escape(label))</td><td>\(Self.escape(value.value))</td></tr>\n"
        }
        for (id, choice) in application.materials.sorted(by: { $0.key < $1.key }) {
            let name = catalog.materials[id]?.name ?? id
            rows += "<tr data-material=\"\(Self.escape(id))\"><td>\(Self.escape(name))</td><td>\(Self.materialLabel(choice))</td></tr>\n"
        }
        // Offline at the kiosk, shared data was not to be had: the department completes these
        // fields, and an item that cannot go without them proceeds once it has them.
        var pending = ""
        for wait in application.sharedDataWaits {
            let item = itemName(bundle, wait.item)
            let fields = wait.fields.map { catalog.fields[$0]?.label ?? $0 }.joined(separator: "、")
            pending +=
                "<li data-waiting-item=\"\(Self.escape(wait.item))\">\(Self.escape(item))：待共享数据（\(Self.escape(fields))）到位后继续办理</li>\n"
        }
        for key in application.leftToDepartment {
            pending +=
                "<li data-department-field=\"\(Self.escape(key))\">\(Self.escape(catalog.fields[key]?.label ?? key))：由部门通过共享数据核实补全</li>\n"
        }
        return """
            <h3>申请内容</h3><p>由平台为办理部门解封；终端本身无法读取。</p>
            <table id="application"><tbody>\(rows)</tbody></table>
            \(pending.isEmpty ? "" : "<h3>待共享数据</h3><ul id=\"shared-data-pending\">\(pending)</ul>")
            """
    }

    static func materialLabel(_ choice: MaterialChoice) -> String {
        switch choice {
        case .provided: "现场提交"
        case .electronic: "电子调取"
        case .deferred: "容缺后补"
        case .window: "窗口提交"
        }
    }

    func followUpsPage(message: String? = nil, error: String? = nil) async throws(PlatformError) -> String {
        var rows = ""
        for followUp in try await storage.followUps() {
            let action =
                followUp.closedAt == nil
                ? """
                <form method="post" action="/follow-ups/\(Self.escape(followUp.ratingID))/close">\
                <input type="hidden" name="token" value="\(formToken)"><input name="note" placeholder="整改情况" size="40" required>\
                <button type="submit">办结整改</button></form>
                """
                : "已办结 \(followUp.closedAt.map(time) ?? "")：\(Self.escape(followUp.note ?? ""))"
            let overdue = followUp.closedAt == nil && followUp.dueBy < Date() ? "（已超期）" : ""
            rows += """
                <tr data-follow-up="\(Self.escape(followUp.ratingID))"><td>\(Self.escape(followUp.receiptNumber))</td>\
                <td>\(followUp.level == 1 ? "非常不满意" : "不满意")</td><td>\(Self.escape(followUp.department))</td>\
                <td>\(time(followUp.dueBy))\(overdue)</td><td>\(action)</td></tr>

                """
        }
        let body = """
            <p><a href="/">← 全部办件</a></p><h2>差评整改</h2>
            \(message.map { "<p class=\"ok\" id=\"message\">\(Self.escape($0))</p>" } ?? "")
            \(error.map { "<p class=\"error\" id=\"error\">\(Self.escape($0))</p>" } ?? "")
            <table><thead><tr><th>受理编号</th><th>评价</th><th>牵头部门</th><th>整改期限</th><th></th></tr></thead>
            <tbody>\(rows.isEmpty ? "<tr><td colspan=5>暂无差评</td></tr>" : rows)</tbody></table>
            """
        return Self.page("差评整改", body)
    }

    // MARK: Actions

    /// Moves an item; the answer is the case page with what happened, in words.
    func advance(caseID: String, item: String, form: [String: String]) async throws(PlatformError) -> (ok: Bool, page: String?) {
        guard form["token"] == formToken else { return (false, try await casePage(caseID, error: "表单已过期，请刷新页面后重试")) }
        guard let stage = form["stage"].flatMap(ItemState.init(rawValue:)) else {
            return (false, try await casePage(caseID, error: "请选择办理环节"))
        }
        do {
            _ = try await departments.advance(caseID: caseID, item: item, to: stage, reason: form["reason"], actor: "workbench")
        } catch {
            return (false, try await casePage(caseID, error: "未办理：\(error.message)"))
        }
        return (true, try await casePage(caseID, message: "\(itemName(nil, item, caseID: caseID)) 已转为「\(Self.label(stage))」"))
    }

    func closeFollowUp(ratingID: String, form: [String: String]) async throws(PlatformError) -> (ok: Bool, page: String) {
        guard form["token"] == formToken else { return (false, try await followUpsPage(error: "表单已过期，请刷新页面后重试")) }
        let note = (form["note"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard !note.isEmpty else { return (false, try await followUpsPage(error: "请写明整改情况")) }
        do {
            try await storage.closeFollowUp(ratingID: ratingID, note: note, at: Date())
        } catch {
            return (false, try await followUpsPage(error: error.message))
        }
        return (true, try await followUpsPage(message: "整改已办结"))
    }

    // MARK: Words and markup

    private func itemName(_ bundle: String?, _ item: String, caseID: String? = nil) -> String {
        let bundles = bundle.flatMap { catalog.bundle($0) }.map { [$0] } ?? catalog.bundles
        return bundles.lazy.compactMap { $0.items.first { $0.id == item }?.name }.first ?? item
    }

    func time(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = timeZone
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        return formatter.string(from: date)
    }

    static func label(_ stage: ItemState) -> String {
        switch stage {
        case .received: "收件"
        case .accepted: "受理"
        case .notAccepted: "不予受理"
        case .inReview: "审核"
        case .awaitingSupplements: "补正"
        case .suspended: "特别程序"
        case .approved: "办结（准予）"
        case .denied: "办结（不予许可）"
        case .withdrawn: "撤回"
        case .delivered: "送达"
        case .archived: "归档"
        }
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
            .replacingOccurrences(of: "'", with: "&#39;")
    }

    static func page(_ title: String, _ body: String) -> String {
        """
        <!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>\(escape(title)) · 部门工作台</title>
        <style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}
        .error{color:#b00}.ok{color:#070}.warn{color:#a60}</style></head>
        <body><h1>部门工作台</h1>\(body)</body></html>
        """
    }

    /// `application/x-www-form-urlencoded` fields.
    static func form(_ body: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map {
                String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            }
            if let key = parts.first { fields[key] = parts.count > 1 ? parts[1] : "" }
        }
        return fields
    }
}
