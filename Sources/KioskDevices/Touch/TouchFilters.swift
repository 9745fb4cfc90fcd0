import KioskCore

/// What a filter removed or repaired; each is a persistent device counter.
public enum TouchFilterAction: String, Sendable, Hashable, Codable, CaseIterable {
    /// A contact that started outside the active area.
    case outsideArea = "outside-area"
    /// A contact shorter than the minimum duration.
    case tooShort = "too-short"
    /// A phantom contact recurring at a fixed point with a fixed period.
    case phantom
    /// A contact held past the limit, released by the daemon.
    case stuckReleased = "stuck-released"
    /// A chattering release and re-touch merged into one contact.
    case debounced

    /// The device counter this action is counted in.
    public var counter: DeviceCounter {
        switch self {
        case .outsideArea: "touch_outside_area"
        case .tooShort: "touch_too_short"
        case .phantom: "touch_phantom"
        case .stuckReleased: "touch_stuck_released"
        case .debounced: "touch_debounced"
        }
    }
}

extension DeviceCounter {
    /// Resynchronisations after `SYN_DROPPED` (the reader fell behind the panel).
    public static let touchResyncs: DeviceCounter = "touch_resyncs"
    /// Contacts delivered after filtering.
    public static let touchContacts: DeviceCounter = "touches"
}

/// A contact change in screen coordinates, before filtering.
struct ScreenContactChange {
    var key: Int
    var phase: RawContactChange.Phase
    var point: TouchPoint
    var time: TouchInstant
}

/// The filters between the panel and gesture recognition: active area, phantom touches,
/// debounce, minimum duration and stuck contacts. Pure and deterministic: time comes from
/// the events and from ``advance(to:into:)``.
struct TouchContactFilter: Sendable {
    /// One contact as the rest of the kiosk sees it.
    private struct Contact {
        var id: Int
        var start: TouchPoint
        var startTime: TouchInstant
        var current: TouchPoint
        var maxDistance = 0.0
        /// Delivered (long enough to be believed).
        var confirmed = false
        /// The raw contact feeding it; `nil` while a release waits for the debounce time.
        var rawKey: Int?
        /// A release waiting to see whether the finger comes back (debounce).
        var releasedAt: TouchInstant?
    }

    private struct Hotspot {
        var point: TouchPoint
        var periodMicros: Int64
        var last: TouchInstant
    }

    private struct Sighting {
        var point: TouchPoint
        var time: TouchInstant
    }

    let settings: TouchFilterSettings
    private let area: (left: Double, top: Double, right: Double, bottom: Double)?
    private var contacts: [Contact] = []
    /// Raw contacts whose events are ignored (outside the area, phantom, released as stuck).
    private var ignored: Set<Int> = []
    private var sightings: [Sighting] = []
    private var hotspots: [Hotspot] = []
    private var nextID = 1
    /// Delivered changes waiting for earlier held-back ones (see ``flush(into:)``).
    private var queue: [TouchContactChange] = []

    init(settings: TouchFilterSettings) {
        self.settings = settings
        if let a = settings.activeArea, a.count == 4 {
            area = (a[0], a[1], a[2], a[3])
        } else {
            area = nil
        }
    }

    /// Whether a contact change is waiting (unconfirmed start, debounced release): gesture
    /// recognition must not run past it.
    var heldBackSince: TouchInstant? {
        var earliest: TouchInstant?
        for contact in contacts {
            let held: TouchInstant? = contact.confirmed ? contact.releasedAt : contact.startTime
            if let held { earliest = min(earliest ?? held, held) }
        }
        return earliest
    }

    /// The next time a filter acts by itself.
    var nextDeadline: TouchInstant? {
        var earliest: TouchInstant?
        func consider(_ time: TouchInstant) { earliest = min(earliest ?? time, time) }
        for contact in contacts {
            if let releasedAt = contact.releasedAt {
                consider(releasedAt.adding(milliseconds: settings.debounceMilliseconds))
            } else if !contact.confirmed {
                consider(contact.startTime.adding(milliseconds: settings.minimumContactMilliseconds))
            } else if settings.stuckContactSeconds > 0 {
                consider(stuckDeadline(contact))
            }
        }
        return earliest
    }

    private func stuckDeadline(_ contact: Contact) -> TouchInstant {
        TouchInstant(microseconds: contact.startTime.microseconds + Int64(settings.stuckContactSeconds * 1_000_000))
    }

    /// Feeds one screen-space change; delivered changes and filter actions are appended to `out`.
    mutating func process(_ change: ScreenContactChange, into out: inout [FilterOutput]) {
        advance(to: change.time, into: &out)
        defer { flush(into: &out) }
        if ignored.contains(change.key) {
            if change.phase == .ended || change.phase == .cancelled { ignored.remove(change.key) }
            return
        }
        switch change.phase {
        case .began:
            began(change, into: &out)
        case .moved:
            guard let index = contacts.firstIndex(where: { $0.rawKey == change.key }) else { return }
            contacts[index].current = change.point
            contacts[index].maxDistance = max(contacts[index].maxDistance, change.point.distance(to: contacts[index].start))
            if contacts[index].confirmed {
                enqueue(TouchContactChange(contact: contacts[index].id, phase: .moved, point: change.point, time: change.time))
            }
        case .ended:
            guard let index = contacts.firstIndex(where: { $0.rawKey == change.key }) else { return }
            contacts[index].current = change.point
            if settings.debounceMilliseconds > 0 {
                contacts[index].rawKey = nil
                contacts[index].releasedAt = change.time
            } else {
                finish(at: index, time: change.time, into: &out)
            }
        case .cancelled:
            guard let index = contacts.firstIndex(where: { $0.rawKey == change.key }) else { return }
            let contact = contacts.remove(at: index)
            if contact.confirmed {
                enqueue(TouchContactChange(contact: contact.id, phase: .cancelled, point: contact.current, time: change.time))
            }
        }
    }

    private mutating func began(_ change: ScreenContactChange, into out: inout [FilterOutput]) {
        // A finger coming back at the place it just left is the same contact chattering.
        if settings.debounceMilliseconds > 0,
            let index = contacts.firstIndex(where: {
                $0.releasedAt != nil && $0.current.distance(to: change.point) <= settings.debounceDistance
            })
        {
            contacts[index].releasedAt = nil
            contacts[index].rawKey = change.key
            out.append(.action(.debounced, change.time))
            if contacts[index].current != change.point {
                contacts[index].current = change.point
                if contacts[index].confirmed {
                    enqueue(TouchContactChange(contact: contacts[index].id, phase: .moved, point: change.point, time: change.time))
                }
            }
            return
        }
        if let area,
            change.point.x < area.left || change.point.x > area.right || change.point.y < area.top
                || change.point.y > area.bottom
        {
            ignored.insert(change.key)
            out.append(.action(.outsideArea, change.time))
            return
        }
        if settings.phantom.enabled, let hotspot = phantomHotspot(at: change.point, time: change.time) {
            hotspots[hotspot].last = change.time
            ignored.insert(change.key)
            out.append(.action(.phantom, change.time))
            return
        }
        var contact = Contact(id: nextID, start: change.point, startTime: change.time, current: change.point, rawKey: change.key)
        nextID += 1
        if settings.minimumContactMilliseconds <= 0 {
            contact.confirmed = true
            enqueue(TouchContactChange(contact: contact.id, phase: .began, point: change.point, time: change.time))
        }
        contacts.append(contact)
    }

    /// Lets time pass: confirms contacts that lasted long enough, completes debounced releases
    /// and releases stuck contacts, in the order they fall due.
    mutating func advance(to time: TouchInstant, into out: inout [FilterOutput]) {
        defer { flush(into: &out) }
        while let (index, due) = earliestDue(by: time) {
            var contact = contacts[index]
            if contact.releasedAt != nil {
                finish(at: index, time: contact.releasedAt ?? due, into: &out)
            } else if !contact.confirmed {
                contact.confirmed = true
                contacts[index] = contact
                enqueue(TouchContactChange(contact: contact.id, phase: .began, point: contact.start, time: contact.startTime))
                if contact.current != contact.start {
                    enqueue(TouchContactChange(contact: contact.id, phase: .moved, point: contact.current, time: due))
                }
            } else {
                // Stuck: no release within the limit. Release it, and ignore the rest of it.
                contacts.remove(at: index)
                if let rawKey = contact.rawKey { ignored.insert(rawKey) }
                out.append(.action(.stuckReleased, due))
                enqueue(TouchContactChange(contact: contact.id, phase: .cancelled, point: contact.current, time: due))
            }
        }
    }

    private func earliestDue(by time: TouchInstant) -> (Int, TouchInstant)? {
        var best: (Int, TouchInstant)?
        for (index, contact) in contacts.enumerated() {
            let due: TouchInstant
            if let releasedAt = contact.releasedAt {
                due = releasedAt.adding(milliseconds: settings.debounceMilliseconds)
            } else if !contact.confirmed {
                due = contact.startTime.adding(milliseconds: settings.minimumContactMilliseconds)
            } else if settings.stuckContactSeconds > 0 {
                due = stuckDeadline(contact)
            } else {
                continue
            }
            if due <= time, due < (best?.1 ?? TouchInstant(microseconds: .max)) { best = (index, due) }
        }
        return best
    }

    private mutating func finish(at index: Int, time: TouchInstant, into out: inout [FilterOutput]) {
        let contact = contacts.remove(at: index)
        let duration = time.milliseconds(since: contact.startTime)
        if contact.confirmed {
            enqueue(TouchContactChange(contact: contact.id, phase: .ended, point: contact.current, time: time))
        } else {
            out.append(.action(.tooShort, time))
        }
        if settings.phantom.enabled, duration <= Double(settings.phantom.maximumContactMilliseconds),
            contact.maxDistance <= settings.phantom.distance * 2
        {
            remember(Sighting(point: contact.start, time: contact.startTime))
        }
    }

    // MARK: Ordering

    /// Queues a delivered change in time order; at equal times a release goes before a new
    /// touch (a finger lifted and another put down in one frame) and a touch before its moves.
    private mutating func enqueue(_ change: TouchContactChange) {
        func rank(_ phase: TouchPhase) -> Int {
            switch phase {
            case .ended, .cancelled: 0
            case .began: 1
            case .moved: 2
            }
        }
        var index = queue.count
        while index > 0 {
            let previous = queue[index - 1]
            if previous.time < change.time || (previous.time == change.time && rank(previous.phase) <= rank(change.phase)) {
                break
            }
            index -= 1
        }
        queue.insert(change, at: index)
    }

    /// Hands on the queued changes that nothing held back can precede any more, so that gesture
    /// recognition sees every change in the order it happened on the glass.
    private mutating func flush(into out: inout [FilterOutput]) {
        guard !queue.isEmpty else { return }
        let limit = heldBackSince
        var count = 0
        for change in queue {
            if let limit, change.time >= limit { break }
            out.append(.change(change))
            count += 1
        }
        queue.removeFirst(count)
    }

    // MARK: Periodic phantoms

    /// The hotspot whose rhythm a contact starting here and now follows, if any.
    private func phantomHotspot(at point: TouchPoint, time: TouchInstant) -> Int? {
        let tolerance = settings.phantom.periodTolerance
        for (index, hotspot) in hotspots.enumerated() where hotspot.point.distance(to: point) <= settings.phantom.distance {
            let elapsed = Double(time.microseconds - hotspot.last.microseconds)
            let periods = (elapsed / Double(hotspot.periodMicros)).rounded()
            guard periods >= 1, periods <= 20 else { continue }
            if abs(elapsed - periods * Double(hotspot.periodMicros)) <= tolerance * Double(hotspot.periodMicros) {
                return index
            }
        }
        return nil
    }

    private mutating func remember(_ sighting: Sighting) {
        let phantom = settings.phantom
        let horizon = Int64(phantom.maximumPeriodMilliseconds) * 1000 * Int64(phantom.occurrences + 1)
        sightings.removeAll { sighting.time.microseconds - $0.time.microseconds > horizon }
        sightings.append(sighting)
        if sightings.count > 64 { sightings.removeFirst(sightings.count - 64) }
        let near = sightings.filter { $0.point.distance(to: sighting.point) <= phantom.distance }
        guard near.count >= phantom.occurrences else { return }
        let recent = near.suffix(phantom.occurrences)
        var intervals: [Double] = []
        var previous: TouchInstant?
        for item in recent {
            if let previous { intervals.append(Double(item.time.microseconds - previous.microseconds)) }
            previous = item.time
        }
        let mean = intervals.reduce(0, +) / Double(intervals.count)
        guard mean >= Double(phantom.minimumPeriodMilliseconds) * 1000, mean <= Double(phantom.maximumPeriodMilliseconds) * 1000,
            intervals.allSatisfy({ abs($0 - mean) <= phantom.periodTolerance * mean })
        else { return }
        if let index = hotspots.firstIndex(where: { $0.point.distance(to: sighting.point) <= phantom.distance }) {
            hotspots[index].periodMicros = Int64(mean)
            hotspots[index].last = sighting.time
        } else {
            hotspots.append(Hotspot(point: sighting.point, periodMicros: Int64(mean), last: sighting.time))
        }
    }

    /// The places where periodic phantoms were recognised (for diagnosis).
    var phantomHotspots: [(point: TouchPoint, periodMilliseconds: Double)] {
        hotspots.map { ($0.point, Double($0.periodMicros) / 1000) }
    }
}

/// What the filter stage hands on.
enum FilterOutput {
    case change(TouchContactChange)
    case action(TouchFilterAction, TouchInstant)
}
