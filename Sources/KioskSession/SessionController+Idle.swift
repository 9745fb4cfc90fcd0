import KioskCore

/// The idle wipe: a session nobody touches for `idleTimeout` is ended and its data forgotten,
/// so the next person at the kiosk never sees the last one's form.
extension SessionController {
    /// Sleeps until the idle deadline of the session on screen, and not at all while nobody
    /// uses the kiosk: an idle kiosk must cost no CPU.
    func watchIdleness() async {
        var starts = sessionStarts.makeAsyncIterator()
        while !Task.isCancelled {
            if session.isIdle {
                // Until a session starts (nil: the task was cancelled).
                guard await starts.next() != nil else { return }
                continue
            }
            let remaining = idleRemaining
            if remaining > .zero {
                do { try await clock.sleep(remaining) } catch { return }
            }
            if !session.isIdle, idleRemaining <= .zero { end(reason: "timeout") }
        }
    }

    /// Time left before the wipe.
    var idleRemaining: Duration { settings.idleTimeout - (clock.uptime() - lastActivity) }
}
