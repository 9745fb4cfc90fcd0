import Foundation

/// How long a kiosk may take applications without reaching the platform (like MOSIP's
/// offline limits): past either limit, a receipt would promise what the kiosk cannot keep, so
/// the attract screen says so before a citizen starts and no new application is taken.
public struct OfflinePolicy: Sendable, Hashable {
    public var maxTimeSinceSync: TimeInterval
    public var maxUnsentCases: Int
    /// How long the kiosk may go on serving its catalogue after the platform announced a newer
    /// one: the departments' rules may have changed, and a receipt would promise the old ones.
    public var maxCatalogAge: TimeInterval

    public init(maxTimeSinceSync: TimeInterval, maxUnsentCases: Int, maxCatalogAge: TimeInterval = 30 * 86_400) {
        self.maxTimeSinceSync = maxTimeSinceSync
        self.maxUnsentCases = maxUnsentCases
        self.maxCatalogAge = maxCatalogAge
    }

    /// Which limit a verdict is about: the citizen is told differently.
    public enum Limit: Sendable, Hashable {
        case timeSinceSync, unsentCases, catalogAge
    }

    /// The verdict for the kiosk's sync figures at `now`.
    public enum Verdict: Sendable, Hashable {
        case ok
        /// A limit is close (three quarters used): technicians should look.
        case approaching(String)
        /// A limit is passed: no new applications.
        case passed(String, Limit)
    }

    /// Time offline counts from the last success, or, for a kiosk that never reached the
    /// platform, from its oldest unsent case (a new kiosk with nothing to send is not offline).
    /// The catalogue ages from the moment a newer one was announced (`catalogSupersededAt`,
    /// on the kiosk's clock); until then the platform's silence says it is current.
    public func verdict(
        lastSuccessAt: Date?, oldestUnsentAt: Date?, unsentCases: Int, catalogSupersededAt: Date? = nil, now: Date
    ) -> Verdict {
        let since = lastSuccessAt ?? oldestUnsentAt
        let offline = since.map { max(0, now.timeIntervalSince($0)) } ?? 0
        let behind = catalogSupersededAt.map { max(0, now.timeIntervalSince($0)) } ?? 0
        let hours = { (seconds: TimeInterval) in String(format: "%.0f h", seconds / 3600) }
        let days = { (seconds: TimeInterval) in String(format: "%.0f days", seconds / 86_400) }
        if offline > maxTimeSinceSync {
            return .passed("no sync with the platform for \(hours(offline)) (the limit is \(hours(maxTimeSinceSync)))", .timeSinceSync)
        }
        if unsentCases >= maxUnsentCases {
            return .passed("\(unsentCases) cases wait to be sent (the limit is \(maxUnsentCases))", .unsentCases)
        }
        if behind > maxCatalogAge {
            return .passed(
                "the platform replaced this kiosk's catalogue \(days(behind)) ago (the limit is \(days(maxCatalogAge)))", .catalogAge)
        }
        if offline > maxTimeSinceSync * 0.75 {
            return .approaching("no sync with the platform for \(hours(offline)) of the \(hours(maxTimeSinceSync)) allowed")
        }
        if unsentCases * 4 >= maxUnsentCases * 3 {
            return .approaching("\(unsentCases) of the \(maxUnsentCases) unsent cases allowed")
        }
        if behind > maxCatalogAge * 0.75 {
            return .approaching(
                "the platform replaced this kiosk's catalogue \(days(behind)) ago, of the \(days(maxCatalogAge)) allowed; install the new one"
            )
        }
        return .ok
    }
}

/// Whether the kiosk takes new applications now, and what the citizen reads when it does not.
public struct IntakeStatus: Sendable, Hashable {
    public var acceptsApplications: Bool
    /// The platform answered recently (query services can work).
    public var online: Bool
    /// What the attract screen says, in plain Chinese, when applications are closed.
    public var notice: String?
    /// Why, for technicians and logs.
    public var reason: String?

    public init(acceptsApplications: Bool, online: Bool, notice: String? = nil, reason: String? = nil) {
        self.acceptsApplications = acceptsApplications
        self.online = online
        self.notice = notice
        self.reason = reason
    }

    /// Until told otherwise: applications open, platform not known to be reachable.
    public static let open = IntakeStatus(acceptsApplications: true, online: false)

    /// The citizen's words when the offline limits are passed.
    public static let offlineNotice =
        "本终端已较长时间未能连接政务服务平台，暂停受理新的申请。您仍可查询办件进度、补打回执；办理新事项请到政务服务大厅窗口或使用“豫事办”等线上渠道。"
    /// The citizen's words when the kiosk's catalogue is out of date.
    public static let catalogNotice =
        "本终端的办事指南已有新版本，更新完成前暂停受理新的申请。您仍可查询办件进度、补打回执；办理新事项请到政务服务大厅窗口或使用“豫事办”等线上渠道。"
    /// The citizen's words when too many applications wait to be sent.
    public static let backlogNotice =
        "本终端有较多申请尚未上传至政务服务平台，暂停受理新的申请。您仍可查询办件进度、补打回执；办理新事项请到政务服务大厅窗口或使用“豫事办”等线上渠道。"
    /// What the attract screen says when `limit` is passed.
    public static func notice(for limit: OfflinePolicy.Limit) -> String {
        switch limit {
        case .timeSinceSync: offlineNotice
        case .unsentCases: backlogNotice
        case .catalogAge: catalogNotice
        }
    }
    /// The citizen's words when the kiosk's storage needs a technician.
    /// The citizen's words when the kiosk has not been enrolled with the platform (no key to seal applications to).
    public static let unenrolledNotice = "本终端尚未完成安装登记，暂不能受理新的申请。您可以到政务服务大厅窗口办理，或使用“豫事办”等线上渠道。"
    /// The citizen's words while a technician has the kiosk in maintenance.
    public static let maintenanceNotice = "本终端正在维护，暂停受理新的申请，请稍后再来，或到政务服务大厅窗口办理。"
    /// Closed for maintenance.
    public static func maintenance(online: Bool) -> IntakeStatus {
        IntakeStatus(acceptsApplications: false, online: online, notice: maintenanceNotice, reason: "a technician is in maintenance mode")
    }
    public static let storeNotice = "本终端暂时无法保存新的申请，正在等待工作人员处理。您仍可查询办件进度；办理新事项请到政务服务大厅窗口。"
}
