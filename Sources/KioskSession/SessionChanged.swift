import KioskCore
import KioskDevices

/// The session told the screen something changed: the page fetches the session again with
/// its token. No personal data travels on the event stream.
public struct SessionChanged: BusEvent, Hashable {
    public static let topic = "session.changed"
    public var step: SessionStep
    /// Why (`card-read`, `timeout`, `printed`, ...), for the page and the logs.
    public var reason: String
    /// Grows with every change, so the page can drop stale answers.
    public var sequence: Int
    /// When the daemon published it, in Unix milliseconds (ISO 8601 dates on the stream carry
    /// whole seconds only; the event-to-screen latency figure needs milliseconds).
    public var atMilliseconds: Int64
}
