import Hummingbird
import NIOCore

/// The platform's request context: the basic one, plus the connection, so that the kiosk's
/// TLS certificate can be read where a request is authenticated.
public struct PlatformRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}
