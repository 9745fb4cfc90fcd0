import Dispatch
import Synchronization
import Testing

@testable import KioskDevices

@Suite struct BlockingCallQueueTests {
    struct Refused: Error, Equatable {
        var reason: String
    }

    /// What the bodies saw, guarded by its mutex (the bodies run on dispatch threads).
    final class Record: Sendable {
        private let state = Mutex<(order: [Int], running: Int, overlaps: Int)>(([], 0, 0))

        func enter(_ index: Int) {
            state.withLock {
                if $0.running > 0 { $0.overlaps += 1 }
                $0.running += 1
                $0.order.append(index)
            }
        }

        func leave() { state.withLock { $0.running -= 1 } }

        var order: [Int] { state.withLock { $0.order } }
        var overlaps: Int { state.withLock { $0.overlaps } }
    }

    @Test func callsRunOneAtATimeInTheOrderTheyAreMade() async {
        let queue = BlockingCallQueue(label: "test.order")
        let record = Record()
        for index in 0..<20 {
            let result = await queue.run {
                record.enter(index)
                defer { record.leave() }
                return index * 2
            }
            #expect(result == index * 2)
        }
        #expect(record.order == Array(0..<20))

        // Many callers at once: every call runs, each caller gets its own answer, none overlap.
        let answers = await withTaskGroup(of: (Int, Int).self) { group in
            for index in 100..<150 {
                group.addTask {
                    let answer = await queue.run {
                        record.enter(index)
                        defer { record.leave() }
                        return index * 2
                    }
                    return (index, answer)
                }
            }
            return await group.reduce(into: [Int: Int]()) { $0[$1.0] = $1.1 }
        }
        #expect(answers.count == 50)
        #expect(answers.allSatisfy { $0.value == $0.key * 2 })
        #expect(Set(record.order) == Set(0..<20).union(100..<150))
        #expect(record.overlaps == 0)
    }

    @Test func theBodysTypedErrorReachesTheCaller() async {
        let queue = BlockingCallQueue(label: "test.error")
        do throws(Refused) {
            _ = try await queue.run { () throws(Refused) -> Int in throw Refused(reason: "paper out") }
            Issue.record("the error was lost")
        } catch {
            #expect(error == Refused(reason: "paper out"))
        }
        do throws(Refused) {
            _ = try await queue.run(ifCancelledBeforeStart: Refused(reason: "skipped")) { _ throws(Refused) -> Int in
                throw Refused(reason: "no card")
            }
            Issue.record("the error was lost")
        } catch {
            #expect(error == Refused(reason: "no card"))
        }
    }

    @Test func aCallCancelledBeforeItStartsIsSkipped() async {
        let queue = BlockingCallQueue(label: "test.skip")
        let record = Record()
        let (started, startedContinuation) = AsyncStream<Void>.makeStream()
        let gate = DispatchSemaphore(value: 0)
        // Keep the queue busy until the second call's task has been cancelled.
        let first = Task {
            await queue.run {
                record.enter(1)
                defer { record.leave() }
                startedContinuation.yield()
                gate.wait()
                return "first"
            }
        }
        var iterator = started.makeAsyncIterator()
        _ = await iterator.next()

        let second = Task { () -> Result<String, Refused> in
            do throws(Refused) {
                return .success(
                    try await queue.run(ifCancelledBeforeStart: Refused(reason: "cancelled")) { _ throws(Refused) in
                        record.enter(2)
                        defer { record.leave() }
                        return "second"
                    })
            } catch {
                return .failure(error)
            }
        }
        second.cancel()
        gate.signal()

        #expect(await first.value == "first")
        #expect(await second.value == .failure(Refused(reason: "cancelled")))
        #expect(record.order == [1])
    }

    @Test func aRunningCallIsToldItsTaskWasCancelled() async {
        let queue = BlockingCallQueue(label: "test.cancel")
        let (started, startedContinuation) = AsyncStream<Void>.makeStream()
        let call = Task { () -> Result<String, Refused> in
            do throws(Refused) {
                return .success(
                    try await queue.run(ifCancelledBeforeStart: Refused(reason: "skipped")) { cancellation throws(Refused) in
                        startedContinuation.yield()
                        // A transport polls the flag between short waits; this one only polls.
                        while !cancellation.isCancelled {}
                        return "stopped early"
                    })
            } catch {
                return .failure(error)
            }
        }
        var iterator = started.makeAsyncIterator()
        _ = await iterator.next()
        call.cancel()
        #expect(await call.value == .success("stopped early"))
    }
}
