import HTTPTypes
import Hummingbird
import KioskAPI

/// The local API answers the kiosk's own screen, on this machine only:
///
/// - the `Host` must be a loopback name (a web page elsewhere cannot rebind a name of its own
///   to 127.0.0.1 and read the answers);
/// - an `Origin`, when a browser sends one, must be a loopback one (another page open in a
///   browser on this machine cannot drive the citizen's session);
/// - a `POST` with a body under `/api/` is JSON: a form or `text/plain` post, which a browser
///   sends without asking, is refused (415). A bodyless `POST` carries nothing to misread.
struct LocalOriginMiddleware<Context: RequestContext>: RouterMiddleware {
    static var loopbackHosts: Set<String> { ["127.0.0.1", "localhost", "[::1]", "::1"] }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let host = request.head.authority, !Self.isLoopback(authority: host) {
            return JSONResponse.error(.forbidden, code: "foreign-host", message: "只接受本机访问 (this API answers the kiosk itself only)")
        }
        if let origin = request.headers[.origin], !Self.isLoopbackOrigin(origin) {
            return JSONResponse.error(
                .forbidden, code: "foreign-origin", message: "只接受本机屏幕的请求 (requests from another site are refused)")
        }
        let hasBody = request.headers[.transferEncoding] != nil || (request.headers[.contentLength].flatMap { Int($0) } ?? 0) > 0
        if request.method == .post, hasBody, request.uri.path.hasPrefix("/api/"),
            !(request.headers[.contentType]?.lowercased().hasPrefix("application/json") ?? false)
        {
            return JSONResponse.error(
                .unsupportedMediaType, code: "json-required", message: "请求须为 JSON (send Content-Type: application/json)")
        }
        return try await next(request, context)
    }

    /// `127.0.0.1:8080`, `localhost`, `[::1]:8080`.
    static func isLoopback(authority: String) -> Bool {
        var name = authority
        if name.hasPrefix("[") {
            name = String(name.prefix { $0 != "]" }) + "]"
        } else if let colon = name.lastIndex(of: ":") {
            name = String(name[..<colon])
        }
        return loopbackHosts.contains(name.lowercased())
    }

    /// `http://127.0.0.1:8080` and the like; `null` (a sandboxed or file page) is not.
    static func isLoopbackOrigin(_ origin: String) -> Bool {
        for scheme in ["http://", "https://"] where origin.lowercased().hasPrefix(scheme) {
            return isLoopback(authority: String(origin.dropFirst(scheme.count)))
        }
        return false
    }
}
