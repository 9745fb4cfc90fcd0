import Synchronization

/// Something published on the kiosk's event bus; `topic` names it on the UI's event stream.
public protocol BusEvent: Sendable, Encodable {
    /// A stable dotted name, e.g. `device.status`, `card.read`, `touch.tap`.
    static var topic: String { get }
}

/// The one event bus of the kiosk: devices, the session and the print queue publish on it;
/// the session, the UI's event stream and the status API subscribe.
///
/// Publishing never blocks: a subscriber that falls behind loses its oldest events (and is
/// told how many through ``EventBus/Subscription/dropped``) instead of slowing a device.
public final class EventBus: Sendable {
    private struct Subscriber {
        let continuation: AsyncStream<any BusEvent>.Continuation
        let dropped: DroppedCount
    }

    // The mutex guards the subscriber table only; events are yielded outside it.
    private let subscribers = Mutex<(table: [Int: Subscriber], closed: Bool)>(([:], false))
    private let nextID = Atomic<Int>(0)
    private let bufferSize: Int

    /// Creates a bus whose subscribers each buffer up to `bufferSize` undelivered events.
    public init(bufferSize: Int = 1024) {
        self.bufferSize = bufferSize
    }

    /// Delivers `event` to every current subscriber.
    public func publish(_ event: some BusEvent) {
        let current = subscribers.withLock { Array($0.table.values) }
        for subscriber in current {
            if case .dropped = subscriber.continuation.yield(event) {
                subscriber.dropped.value.add(1, ordering: .relaxed)
            }
        }
    }

    /// The number of live subscriptions (for the status API and tests).
    public var subscriberCount: Int { subscribers.withLock { $0.table.count } }

    /// Ends every subscription, and any made later, so that event streams held open by
    /// clients finish when the daemon stops.
    public func close() {
        let current = subscribers.withLock { state -> [Subscriber] in
            state.closed = true
            return Array(state.table.values)
        }
        for subscriber in current { subscriber.continuation.finish() }
    }

    /// A live subscription; iterate it, and it ends when the iterating task is cancelled.
    public struct Subscription: AsyncSequence, Sendable {
        public typealias Element = any BusEvent
        let stream: AsyncStream<any BusEvent>
        let droppedCounter: @Sendable () -> Int

        /// How many events this subscriber lost because it did not keep up.
        public var dropped: Int { droppedCounter() }

        public func makeAsyncIterator() -> AsyncStream<any BusEvent>.Iterator { stream.makeAsyncIterator() }
    }

    /// Subscribes to every event published from now on.
    public func subscribe() -> Subscription {
        let id = nextID.add(1, ordering: .relaxed).newValue
        let (stream, continuation) = AsyncStream<any BusEvent>.makeStream(
            bufferingPolicy: .bufferingNewest(bufferSize)
        )
        let dropped = DroppedCount()
        let closed = subscribers.withLock { state -> Bool in
            if !state.closed { state.table[id] = Subscriber(continuation: continuation, dropped: dropped) }
            return state.closed
        }
        if closed {
            continuation.finish()
        } else {
            continuation.onTermination = { [weak self] _ in
                _ = self?.subscribers.withLock { $0.table.removeValue(forKey: id) }
            }
        }
        return Subscription(stream: stream, droppedCounter: { dropped.value.load(ordering: .relaxed) })
    }

    /// Subscribes to events of one type only.
    public func subscribe<Event: BusEvent>(to type: Event.Type) -> AsyncCompactMapSequence<Subscription, Event> {
        subscribe().compactMap { $0 as? Event }
    }
}

/// `Atomic` is not copyable; the class lets the subscriber table and the subscription share one.
private final class DroppedCount: Sendable {
    let value = Atomic<Int>(0)
}
