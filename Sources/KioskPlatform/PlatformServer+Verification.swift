import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

extension PlatformServer {
    /// `GET /verify/{code}`: whoever holds a printed certificate (an employer, a bank) checks it
    /// here, by the QR code or the code typed in; no client certificate is asked. HTML for a
    /// browser, JSON for `Accept: application/json`. Only the masked name is shown: the page
    /// confirms a paper, it does not disclose a person.
    static func addVerification(_ storage: any CertificateStorage, timeZone: TimeZone, to router: Router<PlatformRequestContext>) {
        router.get("/verify/:code") { request, context -> Response in
            let code = (context.parameters.get("code") ?? "").uppercased()
            let found = CertificateOffice.isCode(code) ? try await storage.certificate(code: code) : nil
            let wantsJSON = request.headers[.accept]?.contains("application/json") ?? false
            let today = Self.day(Date(), timeZone)
            let expired = found?.validUntil.map { $0 < today } ?? false
            if wantsJSON {
                var body: [String: Any] = ["genuine": found != nil, "code": code]
                if let found {
                    body["service"] = found.service
                    body["serviceName"] = found.serviceName
                    body["holder"] = found.holderMasked
                    body["issuedAt"] = ISO8601DateFormatter().string(from: found.issuedAt)
                    body["validUntil"] = found.validUntil
                    body["expired"] = expired
                }
                let data = (try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])) ?? Data()
                var headers = HTTPFields()
                headers[.contentType] = "application/json; charset=utf-8"
                headers[.cacheControl] = "no-store"
                return Response(status: found == nil ? .notFound : .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
            }
            let page: String
            if let found {
                let formatter = DateFormatter()
                formatter.locale = Locale(identifier: "zh_CN")
                formatter.timeZone = timeZone
                formatter.dateFormat = "yyyy年M月d日 HH:mm"
                let verdict =
                    expired
                    ? "<p class=\"warn\" id=\"verdict\" data-genuine=\"true\">证明真实，但已超过有效期</p>"
                    : "<p class=\"ok\" id=\"verdict\" data-genuine=\"true\">✔ 真实有效</p>"
                page = """
                    \(verdict)
                    <table><tr><th>证明名称</th><td>\(Workbench.escape(found.serviceName))</td></tr>\
                    <tr><th>验证码</th><td>\(Workbench.escape(found.code))</td></tr>\
                    <tr><th>持证人</th><td>\(Workbench.escape(found.holderMasked))</td></tr>\
                    <tr><th>出具时间</th><td>\(formatter.string(from: found.issuedAt))</td></tr>\
                    <tr><th>有效期至</th><td>\(Workbench.escape(found.validUntil ?? "长期"))</td></tr></table>
                    <p>请核对纸质证明上的姓名、验证码与本页一致。</p>
                    """
            } else {
                page = """
                    <p class="error" id="verdict" data-genuine="false">✘ 未找到该验证码对应的证明</p>
                    <p>请核对验证码（\(Workbench.escape(code))）。无法核验的证明不能作为凭证使用。</p>
                    """
            }
            let html = """
                <!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">\
                <title>证明核验</title><style>body{font-family:sans-serif;max-width:40em;margin:2em auto;padding:0 1em}\
                .ok{color:#0a7a32;font-size:1.6em}.warn{color:#a66a00;font-size:1.4em}.error{color:#b00020;font-size:1.4em}\
                th{text-align:left;padding-right:1em}</style></head><body><h1>证明核验</h1>\(page)</body></html>
                """
            var headers = HTTPFields()
            headers[.contentType] = "text/html; charset=utf-8"
            headers[.cacheControl] = "no-store"
            return Response(status: found == nil ? .notFound : .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
        }
    }

    /// `YYYY-MM-DD` of `date` in `zone`.
    private static func day(_ date: Date, _ zone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
    }
}
