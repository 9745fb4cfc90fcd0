/// How the citizen chose to collect a case's results (结果领取方式, the form's `delivery.method`).
/// Not personal: it travels outside the seal and stays readable on the kiosk, so that "check my
/// progress" can offer to print what is ready (统一出件).
public enum ResultCollection: String, Sendable, Hashable, Codable, CaseIterable {
    /// 窗口领取: at the service window.
    case window
    /// 自助终端打印: printed at a self-service kiosk.
    case kiosk
    /// 邮寄送达: by post.
    case post

    /// The form's field that holds the choice.
    public static let field: FieldKey = "delivery.method"

    /// The choice from the form's option text.
    public init?(option: String) {
        switch option {
        case "窗口领取": self = .window
        case "自助终端打印": self = .kiosk
        case "邮寄送达": self = .post
        default: return nil
        }
    }

    /// Where a ready result goes, in the citizen's words (the kiosk prints its own choice).
    public var notice: String {
        switch self {
        case .window: "请凭受理回执到服务窗口领取"
        case .kiosk: "可在自助终端打印"
        case .post: "将邮寄送达您填写的地址"
        }
    }
}
