import HTTPTypes
import Hummingbird
import Synchronization

/// Every path and method an API answers, so that a known path asked with the wrong method
/// answers 405 with `Allow` (Hummingbird's trie answers 404 for both).
final class KnownRoutes: Sendable {
    private let routes = Mutex<[(path: RouterPath, method: HTTPRequest.Method)]>([])

    func remember(_ path: String, _ method: HTTPRequest.Method) {
        routes.withLock { $0.append((RouterPath(path), method)) }
    }

    /// The methods some route answers on `path`, empty when no route has that path.
    func methods(for path: String) -> [HTTPRequest.Method] {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        return routes.withLock { routes in
            routes.filter { route in
                route.path.components.count == segments.count
                    && zip(route.path.components, segments).allSatisfy { element, segment in element ~= segment }
            }.map(\.method)
        }
    }
}
