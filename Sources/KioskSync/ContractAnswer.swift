import KioskSyncAPI

// The status and the contract's problem message of each answer, so the relay can tell a
// technician what the platform said whatever the operation.

extension Operations.SubmitCases.Output: ContractAnswer {
    var statusAndProblem: (code: Int, problem: String?) {
        switch self {
        case .ok: (code: 200, problem: nil)
        case let .badRequest(answer): (code: 400, problem: try? answer.body.json.error.message)
        case let .unauthorized(answer): (code: 401, problem: try? answer.body.json.error.message)
        case let .contentTooLarge(answer): (code: 413, problem: try? answer.body.json.error.message)
        case let .serviceUnavailable(answer): (code: 503, problem: try? answer.body.json.error.message)
        case let .undocumented(statusCode, _): (code: statusCode, problem: nil)
        }
    }

    var retryAfter: Int? {
        guard case let .serviceUnavailable(answer) = self else { return nil }
        return answer.headers.retryAfter
    }
}

extension Operations.CreateAttachment.Output: ContractAnswer {
    var statusAndProblem: (code: Int, problem: String?) {
        switch self {
        case .created: (code: 201, problem: nil)
        case let .badRequest(answer): (code: 400, problem: try? answer.body.json.error.message)
        case let .unauthorized(answer): (code: 401, problem: try? answer.body.json.error.message)
        case let .notFound(answer): (code: 404, problem: try? answer.body.json.error.message)
        case let .conflict(answer): (code: 409, problem: try? answer.body.json.error.message)
        case let .serviceUnavailable(answer): (code: 503, problem: try? answer.body.json.error.message)
        case let .undocumented(statusCode, _): (code: statusCode, problem: nil)
        }
    }

    var retryAfter: Int? {
        guard case let .serviceUnavailable(answer) = self else { return nil }
        return answer.headers.retryAfter
    }
}

extension Operations.AppendAttachment.Output: ContractAnswer {
    var statusAndProblem: (code: Int, problem: String?) {
        switch self {
        case .ok: (code: 200, problem: nil)
        case let .badRequest(answer): (code: 400, problem: try? answer.body.json.error.message)
        case let .unauthorized(answer): (code: 401, problem: try? answer.body.json.error.message)
        case let .notFound(answer): (code: 404, problem: try? answer.body.json.error.message)
        case let .conflict(answer): (code: 409, problem: try? answer.body.json.error.message)
        case let .gone(answer): (code: 410, problem: try? answer.body.json.error.message)
        case let .contentTooLarge(answer): (code: 413, problem: try? answer.body.json.error.message)
        case let .unprocessableContent(answer): (code: 422, problem: try? answer.body.json.error.message)
        case let .serviceUnavailable(answer): (code: 503, problem: try? answer.body.json.error.message)
        case let .undocumented(statusCode, _): (code: statusCode, problem: nil)
        }
    }

    var retryAfter: Int? {
        guard case let .serviceUnavailable(answer) = self else { return nil }
        return answer.headers.retryAfter
    }
}

extension Operations.SubmitRating.Output: ContractAnswer {
    var statusAndProblem: (code: Int, problem: String?) {
        switch self {
        case .ok: (code: 200, problem: nil)
        case let .badRequest(answer): (code: 400, problem: try? answer.body.json.error.message)
        case let .unauthorized(answer): (code: 401, problem: try? answer.body.json.error.message)
        case let .notFound(answer): (code: 404, problem: try? answer.body.json.error.message)
        case let .conflict(answer): (code: 409, problem: try? answer.body.json.error.message)
        case let .serviceUnavailable(answer): (code: 503, problem: try? answer.body.json.error.message)
        case let .undocumented(statusCode, _): (code: statusCode, problem: nil)
        }
    }

    var retryAfter: Int? {
        guard case let .serviceUnavailable(answer) = self else { return nil }
        return answer.headers.retryAfter
    }
}

extension Operations.SubmitAudit.Output: ContractAnswer {
    var statusAndProblem: (code: Int, problem: String?) {
        switch self {
        case .ok: (code: 200, problem: nil)
        case let .badRequest(answer): (code: 400, problem: try? answer.body.json.error.message)
        case let .unauthorized(answer): (code: 401, problem: try? answer.body.json.error.message)
        case let .conflict(answer): (code: 409, problem: try? answer.body.json.error.message)
        case let .serviceUnavailable(answer): (code: 503, problem: try? answer.body.json.error.message)
        case let .undocumented(statusCode, _): (code: statusCode, problem: nil)
        }
    }

    var retryAfter: Int? {
        guard case let .serviceUnavailable(answer) = self else { return nil }
        return answer.headers.retryAfter
    }
}

extension Operations.LookupPrefill.Output: ContractAnswer {
    var statusAndProblem: (code: Int, problem: String?) {
        switch self {
        case .ok: (code: 200, problem: nil)
        case let .badRequest(answer): (code: 400, problem: try? answer.body.json.error.message)
        case let .unauthorized(answer): (code: 401, problem: try? answer.body.json.error.message)
        case let .serviceUnavailable(answer): (code: 503, problem: try? answer.body.json.error.message)
        case let .undocumented(statusCode, _): (code: statusCode, problem: nil)
        }
    }

    var retryAfter: Int? {
        guard case let .serviceUnavailable(answer) = self else { return nil }
        return answer.headers.retryAfter
    }
}

extension Operations.ListChanges.Output: ContractAnswer {
    var statusAndProblem: (code: Int, problem: String?) {
        switch self {
        case .ok: (code: 200, problem: nil)
        case let .badRequest(answer): (code: 400, problem: try? answer.body.json.error.message)
        case let .unauthorized(answer): (code: 401, problem: try? answer.body.json.error.message)
        case let .serviceUnavailable(answer): (code: 503, problem: try? answer.body.json.error.message)
        case let .undocumented(statusCode, _): (code: statusCode, problem: nil)
        }
    }

    var retryAfter: Int? {
        guard case let .serviceUnavailable(answer) = self else { return nil }
        return answer.headers.retryAfter
    }
}

/// An answer of the contract, as the relay reports it.
protocol ContractAnswer {
    var statusAndProblem: (code: Int, problem: String?) { get }
    var retryAfter: Int? { get }
}

extension ContractAnswer {
    /// The platform's message, when it sent one.
    var problemMessage: String? { statusAndProblem.problem }
}

extension Operations.ReportDelivery.Output: ContractAnswer {
    var statusAndProblem: (code: Int, problem: String?) {
        switch self {
        case .ok: (code: 200, problem: nil)
        case let .badRequest(answer): (code: 400, problem: try? answer.body.json.error.message)
        case let .unauthorized(answer): (code: 401, problem: try? answer.body.json.error.message)
        case let .notFound(answer): (code: 404, problem: try? answer.body.json.error.message)
        case let .conflict(answer): (code: 409, problem: try? answer.body.json.error.message)
        case let .serviceUnavailable(answer): (code: 503, problem: try? answer.body.json.error.message)
        case let .undocumented(statusCode, _): (code: statusCode, problem: nil)
        }
    }

    var retryAfter: Int? {
        guard case let .serviceUnavailable(answer) = self else { return nil }
        return answer.headers.retryAfter
    }
}
