import HTTPTypes
import Hummingbird

/// The routes of one API: each is added to the router and remembered in ``KnownRoutes``.
struct Routes {
    let router: Router<BasicRequestContext>
    let known = KnownRoutes()

    init(_ router: Router<BasicRequestContext>) {
        self.router = router
    }

    typealias Handler = @Sendable (Request, BasicRequestContext) async throws -> Response

    func get(_ path: String, _ handler: @escaping Handler) {
        router.get(RouterPath(path), use: handler)
        known.remember(path, .get)
        known.remember(path, .head)
    }

    func post(_ path: String, _ handler: @escaping Handler) {
        router.post(RouterPath(path), use: handler)
        known.remember(path, .post)
    }
}
