import Foundation
import KioskCore

/// One action of the citizen on the session.
public enum SessionAction: Sendable {
    case acknowledgeNotice
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

    /// The reason published with the change it makes.
    var name: String {
        switch self {
        case .acknowledgeNotice: "notice-acknowledged"
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
        }
    }
}
