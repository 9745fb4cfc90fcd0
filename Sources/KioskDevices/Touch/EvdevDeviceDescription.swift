/// The range of one absolute axis (`struct input_absinfo`).
public struct AbsoluteAxis: Sendable, Hashable, Codable {
    public var value: Int32
    public var minimum: Int32
    public var maximum: Int32
    public var fuzz: Int32
    public var flat: Int32
    /// Units per millimetre (0 when the panel does not say).
    public var resolution: Int32

    public init(value: Int32 = 0, minimum: Int32, maximum: Int32, fuzz: Int32 = 0, flat: Int32 = 0, resolution: Int32 = 0) {
        self.value = value
        self.minimum = minimum
        self.maximum = maximum
        self.fuzz = fuzz
        self.flat = flat
        self.resolution = resolution
    }

    /// Where `raw` lies between minimum and maximum, as `0...1` (outside when the panel
    /// reports beyond its own range, which cheap panels do).
    @inlinable
    public func normalise(_ raw: Int32) -> Double {
        let span = Double(maximum) - Double(minimum)
        guard span > 0 else { return 0 }
        return (Double(raw) - Double(minimum)) / span
    }
}

/// What an input device says about itself: the header of an evemu recording, or the answers
/// of `EVIOCGNAME`, `EVIOCGID`, `EVIOCGPROP`, `EVIOCGBIT` and `EVIOCGABS` on a live device.
public struct EvdevDeviceDescription: Sendable, Hashable {
    public var name: String
    public var bus: UInt16
    public var vendor: UInt16
    public var product: UInt16
    public var version: UInt16
    /// `INPUT_PROP_*` bits, one bit per property.
    public var properties: [UInt8]
    /// The supported codes of each event type, as the kernel's bitmasks (type 0 lists types).
    public var eventBits: [UInt16: [UInt8]]
    /// The ranges of the absolute axes.
    public var axes: [UInt16: AbsoluteAxis]

    public init(
        name: String, bus: UInt16 = 0, vendor: UInt16 = 0, product: UInt16 = 0, version: UInt16 = 0,
        properties: [UInt8] = [], eventBits: [UInt16: [UInt8]] = [:], axes: [UInt16: AbsoluteAxis] = [:]
    ) {
        self.name = name
        self.bus = bus
        self.vendor = vendor
        self.product = product
        self.version = version
        self.properties = properties
        self.eventBits = eventBits
        self.axes = axes
    }

    static func bit(_ index: UInt16, in bytes: [UInt8]) -> Bool {
        let byte = Int(index / 8)
        return byte < bytes.count && bytes[byte] & (1 << (index % 8)) != 0
    }

    static func setBit(_ index: UInt16, in bytes: inout [UInt8]) {
        let byte = Int(index / 8)
        if bytes.count <= byte { bytes += [UInt8](repeating: 0, count: byte + 1 - bytes.count) }
        bytes[byte] |= 1 << (index % 8)
    }

    /// Whether the device has the `INPUT_PROP_*` property.
    public func hasProperty(_ property: UInt16) -> Bool { Self.bit(property, in: properties) }

    /// Whether the device can send `code` of event `type`.
    public func supports(type: UInt16, code: UInt16) -> Bool {
        if let bits = eventBits[type], Self.bit(code, in: bits) { return true }
        // A recording may list only the axes (`A:` lines) without the `B:` masks.
        return type == EvdevCode.absolute && axes[code] != nil
    }

    /// Multi-touch protocol B: slots and tracking ids.
    public var isMultitouch: Bool {
        supports(type: EvdevCode.absolute, code: EvdevCode.absMTSlot)
            && supports(type: EvdevCode.absolute, code: EvdevCode.absMTPositionX)
            && supports(type: EvdevCode.absolute, code: EvdevCode.absMTPositionY)
    }

    /// Single-touch: `ABS_X`/`ABS_Y` and `BTN_TOUCH`.
    public var isSingleTouch: Bool {
        supports(type: EvdevCode.absolute, code: EvdevCode.absX) && supports(type: EvdevCode.absolute, code: EvdevCode.absY)
            && supports(type: EvdevCode.key, code: EvdevCode.buttonTouch)
    }

    /// A touch screen by its capabilities: a direct-input device (the finger is on the
    /// picture, unlike a touchpad) with absolute positions.
    public var isTouchScreen: Bool {
        hasProperty(EvdevCode.propertyDirect) && (isMultitouch || isSingleTouch)
    }

    /// How many fingers the panel follows at once.
    public var slotCount: Int {
        guard isMultitouch, let slot = axes[EvdevCode.absMTSlot] else { return 1 }
        return max(1, Int(slot.maximum) + 1)
    }

    /// The USB vendor and product, when the device is on USB.
    public var usbID: USBID? {
        bus == EvdevCode.busUSB ? USBID(vendor: vendor, product: product) : nil
    }

    /// The horizontal and vertical axes the driver reads positions from.
    public var positionAxes: (x: AbsoluteAxis, y: AbsoluteAxis)? {
        let xCode = isMultitouch ? EvdevCode.absMTPositionX : EvdevCode.absX
        let yCode = isMultitouch ? EvdevCode.absMTPositionY : EvdevCode.absY
        guard let x = axes[xCode] ?? axes[EvdevCode.absX], let y = axes[yCode] ?? axes[EvdevCode.absY] else { return nil }
        return (x, y)
    }
}
