import Testing

@testable import KioskDevices

struct Ping: BusEvent {
    static let topic = "test.ping"
    var number: Int
}

@Suite("Event bus")
struct EventBusTests {
    @Test("Every subscriber receives every event, in order")
    func fanOut() async {
        let bus = EventBus()
        let first = bus.subscribe(to: Ping.self)
        let second = bus.subscribe(to: Ping.self)
        for number in 1...3 { bus.publish(Ping(number: number)) }
        bus.close()
        var a: [Int] = []
        for await ping in first { a.append(ping.number) }
        var b: [Int] = []
        for await ping in second { b.append(ping.number) }
        #expect(a == [1, 2, 3])
        #expect(b == [1, 2, 3])
    }

    @Test("A slow subscriber loses its oldest events and is told how many, without blocking the publisher")
    func slowSubscriber() async {
        let bus = EventBus(bufferSize: 4)
        let subscription = bus.subscribe()
        for number in 1...10 { bus.publish(Ping(number: number)) }
        bus.close()
        var received: [Int] = []
        for await event in subscription { received.append((event as? Ping)?.number ?? -1) }
        #expect(received == [7, 8, 9, 10])
        #expect(subscription.dropped == 6)
    }

    @Test("Closing ends subscriptions made later too, so a late client cannot hold the daemon open")
    func closedBus() async {
        let bus = EventBus()
        bus.close()
        var count = 0
        for await _ in bus.subscribe() { count += 1 }
        #expect(count == 0)
        #expect(bus.subscriberCount == 0)
    }
}
