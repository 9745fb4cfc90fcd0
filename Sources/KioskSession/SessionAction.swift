import Foundation
import KioskCore

/// One action of the citizen on the session.
public enum SessionAction: Sendable {
    /// Notice read, agreeing that the platform is asked for the citizen's shared data (同意).
    case acknowledgeNotice
    /// Notice read, refusing the lookup: the form asks everything.
    case acknowledgeNoticeWithoutLookup
    case answer(QuestionID, AnswerID)
    case fill([FieldKey: String])
    case confirmForm
    case material(MaterialID, MaterialChoice?)
    case sign(Data)
    case confirmMaterials
    case back
    case submit
    case finishReceipt
    case rate(Int)
    case reprint(String)
    case startOver
    /// 查询打印: the citizen agreed that the platform is asked for their certificate.
    case consentQuery

    /// The reason published with the change it makes.
    var name: String {
        switch self {
        case .acknowledgeNotice, .acknowledgeNoticeWithoutLookup: "notice-acknowledged"
        case .answer: "answered"
        case .fill: "form-filled"
        case .confirmForm: "form-confirmed"
        case .material: "material-chosen"
        case .sign: "pledge-signed"
        case .confirmMaterials: "materials-confirmed"
        case .back: "back"
        case .submit: "submitted"
        case .finishReceipt: "receipt-taken"
        case .rate: "rated"
        case .reprint: "reprinted"
        case .startOver: "start-over"
        case .consentQuery: "query-consented"
        }
    }
}
