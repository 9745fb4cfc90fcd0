import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

extension PlatformServer {
    /// The department workbench's router; serve it on a loopback address only.
    public static func workbenchRouter(_ workbench: Workbench) -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/") { _, _ in html(try await workbench.casesPage()) }
        router.get("/cases/:case") { _, context in
            guard let page = try await workbench.casePage(context.parameters.get("case") ?? "") else {
                return html(Workbench.page("没有该办件", "<p><a href=\"/\">← 全部办件</a></p><p class=\"error\">没有该办件</p>"), status: .notFound)
            }
            return html(page)
        }
        router.post("/cases/:case/items/:item") { request, context in
            let form = Workbench.form(String(buffer: try await request.body.collect(upTo: 64 << 10)))
            let caseID = context.parameters.get("case") ?? ""
            let (ok, page) = try await workbench.advance(caseID: caseID, item: context.parameters.get("item") ?? "", form: form)
            guard let page else { return html(Workbench.page("没有该办件", "<p class=\"error\">没有该办件</p>"), status: .notFound) }
            return html(page, status: ok ? .ok : .unprocessableContent)
        }
        router.get("/follow-ups") { _, _ in html(try await workbench.followUpsPage()) }
        router.post("/follow-ups/:rating/close") { request, context in
            let form = Workbench.form(String(buffer: try await request.body.collect(upTo: 64 << 10)))
            let (ok, page) = try await workbench.closeFollowUp(ratingID: context.parameters.get("rating") ?? "", form: form)
            return html(page, status: ok ? .ok : .unprocessableContent)
        }
        return router
    }

    private static func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        // No script at all; forms post only here; no framing by other pages.
        headers[.contentSecurityPolicy] = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
