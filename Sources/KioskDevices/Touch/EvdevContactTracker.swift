import KioskCore

/// The kernel's view of a touch device at one moment: what `EVIOCGMTSLOTS`, `EVIOCGABS` and
/// `EVIOCGKEY` return, used to resynchronise after `SYN_DROPPED`.
public struct EvdevSnapshot: Sendable, Hashable {
    public struct Slot: Sendable, Hashable {
        public var trackingID: Int32
        public var x: Int32
        public var y: Int32

        public init(trackingID: Int32 = -1, x: Int32 = 0, y: Int32 = 0) {
            self.trackingID = trackingID
            self.x = x
            self.y = y
        }
    }

    public var slots: [Slot]
    public var currentSlot: Int
    /// `BTN_TOUCH` and `ABS_X`/`ABS_Y`, for single-touch panels.
    public var touching: Bool
    public var x: Int32
    public var y: Int32

    public init(slots: [Slot] = [], currentSlot: Int = 0, touching: Bool = false, x: Int32 = 0, y: Int32 = 0) {
        self.slots = slots
        self.currentSlot = currentSlot
        self.touching = touching
        self.x = x
        self.y = y
    }
}

/// Follows every event into an ``EvdevSnapshot`` as the kernel does, so that a replayed
/// recording can be resynchronised the way a live device is (where the kernel answers ioctls).
public struct EvdevStateMirror: Sendable {
    public private(set) var snapshot: EvdevSnapshot

    public init(slotCount: Int) {
        snapshot = EvdevSnapshot(slots: Array(repeating: .init(), count: max(1, slotCount)))
    }

    /// Applies one event (including those a reader discards after `SYN_DROPPED`).
    public mutating func apply(_ event: InputEvent) {
        switch (event.type, event.code) {
        case (EvdevCode.absolute, EvdevCode.absMTSlot):
            snapshot.currentSlot = Int(event.value)
        case (EvdevCode.absolute, EvdevCode.absMTTrackingID):
            update { $0.trackingID = event.value }
        case (EvdevCode.absolute, EvdevCode.absMTPositionX):
            update { $0.x = event.value }
        case (EvdevCode.absolute, EvdevCode.absMTPositionY):
            update { $0.y = event.value }
        case (EvdevCode.absolute, EvdevCode.absX):
            snapshot.x = event.value
        case (EvdevCode.absolute, EvdevCode.absY):
            snapshot.y = event.value
        case (EvdevCode.key, EvdevCode.buttonTouch):
            snapshot.touching = event.value != 0
        default:
            break
        }
    }

    mutating func update(_ change: (inout EvdevSnapshot.Slot) -> Void) {
        let slot = snapshot.currentSlot
        guard slot >= 0, slot < snapshot.slots.count else { return }
        change(&snapshot.slots[slot])
    }
}

/// A contact change in the panel's own units, before calibration and filtering.
struct RawContactChange: Sendable, Hashable {
    enum Phase: Sendable, Hashable { case began, moved, ended, cancelled }
    /// Unique for the life of the contact (a slot and a generation).
    var key: Int
    var phase: Phase
    var x: Int32
    var y: Int32
    var time: TouchInstant
}

/// Turns evdev events into contact changes, one frame (`SYN_REPORT`) at a time: multi-touch
/// protocol B (slots and tracking ids) or single-touch (`ABS_X/ABS_Y` + `BTN_TOUCH`), with
/// `SYN_DROPPED` resynchronisation.
struct EvdevContactTracker: Sendable {
    struct Slot: Sendable, Hashable {
        var trackingID: Int32 = -1
        var x: Int32 = 0
        var y: Int32 = 0
        /// Our key for the contact in this slot.
        var key: Int = -1
        /// The contact was ended by us (lost release, blind resync): new positions in this slot
        /// start a new contact even without a new tracking id.
        var revivable = false
    }

    let multitouch: Bool
    let releaseOnButtonUp: Bool
    private var committed: [Slot]
    private var pending: [Slot]
    private var currentSlot = 0
    private var buttonUp = false
    private var buttonDown = false
    private var touched = false
    private var dropping = false
    private var nextKey = 0
    /// Whether this frame saw a position for the current slot (to revive a revivable slot).
    private var positionSeen: [Bool]

    /// How many resynchronisations happened, and how many had no device state to use.
    private(set) var resyncs = 0
    private(set) var blindResyncs = 0

    init(multitouch: Bool, slotCount: Int, releaseOnButtonUp: Bool) {
        self.multitouch = multitouch
        self.releaseOnButtonUp = releaseOnButtonUp
        let count = multitouch ? max(1, min(slotCount, 64)) : 1
        committed = Array(repeating: Slot(), count: count)
        pending = committed
        positionSeen = Array(repeating: false, count: count)
    }

    /// Feeds one event; at the end of a frame, the contact changes are appended to `output`.
    /// `snapshot` is asked for the device's state only when a `SYN_DROPPED` must be repaired.
    mutating func process(
        _ event: InputEvent, into output: inout [RawContactChange], snapshot: () -> EvdevSnapshot?
    ) -> FrameNote {
        if event.type == EvdevCode.synchronization {
            switch event.code {
            case EvdevCode.synDropped:
                dropping = true
                return .dropped
            case EvdevCode.synReport:
                if dropping {
                    dropping = false
                    let blind = resynchronise(snapshot())
                    endFrame(at: event.time, into: &output, blind: blind)
                    return blind ? .blindResync : .resync
                }
                endFrame(at: event.time, into: &output, blind: false)
                return .frame
            default:
                return .none
            }
        }
        // After SYN_DROPPED everything up to the next SYN_REPORT is incomplete: discard it.
        if dropping { return .none }
        if multitouch {
            processMultitouch(event)
        } else {
            processSingleTouch(event)
        }
        return .none
    }

    /// What a processed event meant for the frame.
    enum FrameNote { case none, frame, dropped, resync, blindResync }

    private mutating func processMultitouch(_ event: InputEvent) {
        switch (event.type, event.code) {
        case (EvdevCode.absolute, EvdevCode.absMTSlot):
            currentSlot = Int(event.value)
            if currentSlot >= pending.count, currentSlot < 64 {
                // More fingers than the panel announced: grow rather than lose them.
                let extra = currentSlot + 1 - pending.count
                pending += Array(repeating: Slot(), count: extra)
                committed += Array(repeating: Slot(), count: extra)
                positionSeen += Array(repeating: false, count: extra)
            }
        case (EvdevCode.absolute, EvdevCode.absMTTrackingID):
            guard pending.indices.contains(currentSlot) else { return }
            pending[currentSlot].trackingID = event.value
            pending[currentSlot].revivable = false
        case (EvdevCode.absolute, EvdevCode.absMTPositionX):
            guard pending.indices.contains(currentSlot) else { return }
            pending[currentSlot].x = event.value
            positionSeen[currentSlot] = true
        case (EvdevCode.absolute, EvdevCode.absMTPositionY):
            guard pending.indices.contains(currentSlot) else { return }
            pending[currentSlot].y = event.value
            positionSeen[currentSlot] = true
        case (EvdevCode.key, EvdevCode.buttonTouch):
            if event.value == 0 { buttonUp = true } else { buttonDown = true }
        default:
            break
        }
    }

    private mutating func processSingleTouch(_ event: InputEvent) {
        switch (event.type, event.code) {
        case (EvdevCode.absolute, EvdevCode.absX):
            pending[0].x = event.value
            positionSeen[0] = true
        case (EvdevCode.absolute, EvdevCode.absY):
            pending[0].y = event.value
            positionSeen[0] = true
        case (EvdevCode.key, EvdevCode.buttonTouch):
            touched = event.value != 0
            pending[0].trackingID = touched ? 0 : -1
        default:
            break
        }
    }

    /// Replaces the pending state with the device's; returns whether it had to go blind.
    private mutating func resynchronise(_ snapshot: EvdevSnapshot?) -> Bool {
        resyncs += 1
        guard let snapshot else {
            blindResyncs += 1
            // Without the device's state every contact is in doubt: cancel them all, and let
            // positions that keep coming start fresh contacts.
            for index in pending.indices {
                pending[index].trackingID = -1
                pending[index].revivable = true
                positionSeen[index] = false
            }
            buttonUp = false
            buttonDown = false
            return true
        }
        if multitouch {
            for index in pending.indices {
                let slot = index < snapshot.slots.count ? snapshot.slots[index] : EvdevSnapshot.Slot()
                pending[index].trackingID = slot.trackingID
                pending[index].x = slot.x
                pending[index].y = slot.y
                pending[index].revivable = false
                positionSeen[index] = false
            }
            currentSlot = snapshot.currentSlot
        } else {
            touched = snapshot.touching
            pending[0].trackingID = touched ? 0 : -1
            pending[0].x = snapshot.x
            pending[0].y = snapshot.y
        }
        buttonUp = false
        buttonDown = false
        return false
    }

    private mutating func endFrame(at time: TouchInstant, into output: inout [RawContactChange], blind: Bool) {
        if multitouch {
            for index in pending.indices where pending[index].revivable && pending[index].trackingID < 0 {
                if positionSeen[index] || (buttonDown && committed[index].key < 0 && index == currentSlot) {
                    // Positions in a slot whose contact we ended: the finger is (still) there.
                    pending[index].trackingID = Int32.max
                    pending[index].revivable = false
                }
            }
            // A panel that lost its releases (protocol-A firmware behind a protocol-B driver)
            // still says BTN_TOUCH 0 when the last finger lifts.
            if releaseOnButtonUp, buttonUp, !buttonDown {
                for index in pending.indices where pending[index].trackingID >= 0 {
                    pending[index].trackingID = -1
                    pending[index].revivable = true
                }
            }
        }
        // Ends first, so that a finger lifted and another put down in one frame are seen in
        // that order.
        for index in pending.indices {
            let old = committed[index]
            var new = pending[index]
            if old.trackingID >= 0, new.trackingID < 0 || new.trackingID != old.trackingID {
                let phase: RawContactChange.Phase = blind ? .cancelled : .ended
                output.append(RawContactChange(key: old.key, phase: phase, x: old.x, y: old.y, time: time))
                new.key = -1
            } else {
                new.key = old.key
            }
            pending[index] = new
        }
        for index in pending.indices {
            let old = committed[index]
            var new = pending[index]
            if new.trackingID >= 0 {
                if new.key < 0 {
                    new.key = nextKey
                    nextKey += 1
                    output.append(RawContactChange(key: new.key, phase: .began, x: new.x, y: new.y, time: time))
                } else if new.x != old.x || new.y != old.y {
                    output.append(RawContactChange(key: new.key, phase: .moved, x: new.x, y: new.y, time: time))
                }
            }
            pending[index] = new
            committed[index] = new
            positionSeen[index] = false
        }
        buttonUp = false
        buttonDown = false
    }
}
