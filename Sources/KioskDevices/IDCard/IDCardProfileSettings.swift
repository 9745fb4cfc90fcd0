import Foundation
import KioskCore
import KioskFiles

/// The ID-card-reader part of a device profile in `Devices/idcard/`.
public struct IDCardProfileSettings: Sendable, Hashable, Decodable {
    /// How a profile's transport is written.
    public enum TransportKind: String, Sendable, Hashable, Decodable {
        case usbBulk = "usb-bulk"
        case serial
        case hid
        case simulator
    }

    /// `usb_bulk:` endpoints and interface.
    public struct USBBulk: Sendable, Hashable, Decodable {
        /// `split` (ministry standard) or `single`.
        public var form: String = "split"
        public var interface: Int = 0
        /// OUT endpoints: header then body (one for the single form).
        public var out: [EndpointAddress] = [0x02, 0x06]
        /// IN endpoints: header then body (one for the single form).
        public var `in`: [EndpointAddress] = [0x81, 0x85]
        public var transferTimeoutMilliseconds: Int = 200

        enum CodingKeys: String, CodingKey {
            case form, interface, out, `in`
            case transferTimeoutMilliseconds = "transfer_timeout_ms"
        }

        public init() {}
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            form = try container.decodeIfPresent(String.self, forKey: .form) ?? form
            interface = try container.decodeIfPresent(Int.self, forKey: .interface) ?? interface
            out = try container.decodeIfPresent([EndpointAddress].self, forKey: .out) ?? (form == "single" ? [0x02] : out)
            self.in = try container.decodeIfPresent([EndpointAddress].self, forKey: .in) ?? (form == "single" ? [0x81] : self.in)
            transferTimeoutMilliseconds =
                try container.decodeIfPresent(Int.self, forKey: .transferTimeoutMilliseconds) ?? transferTimeoutMilliseconds
        }
    }

    /// `serial:` line settings.
    public struct Serial: Sendable, Hashable, Decodable {
        /// A fixed path (`/dev/ttyUSB0`, a `/dev/serial/by-id/...` link); otherwise found by USB id.
        public var path: String?
        public var baud: Int = 115200

        public init() {}
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            path = try container.decodeIfPresent(String.self, forKey: .path)
            baud = try container.decodeIfPresent(Int.self, forKey: .baud) ?? baud
        }
        enum CodingKeys: String, CodingKey { case path, baud }
    }

    /// `hid:` report settings.
    public struct HID: Sendable, Hashable, Decodable {
        public var path: String?
        public var reportSize: Int = 64
        public var reportID: Int = 0
        /// Whether frames keep their preamble inside reports.
        public var preamble: Bool = false

        enum CodingKeys: String, CodingKey {
            case path, preamble
            case reportSize = "report_size"
            case reportID = "report_id"
        }

        public init() {}
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            path = try container.decodeIfPresent(String.self, forKey: .path)
            reportSize = try container.decodeIfPresent(Int.self, forKey: .reportSize) ?? reportSize
            reportID = try container.decodeIfPresent(Int.self, forKey: .reportID) ?? reportID
            preamble = try container.decodeIfPresent(Bool.self, forKey: .preamble) ?? preamble
        }
    }

    /// `timeouts_ms:` per command.
    public struct Timeouts: Sendable, Hashable, Decodable {
        var values: [String: Int]

        public init(from decoder: any Decoder) throws {
            values = try decoder.singleValueContainer().decode([String: Int].self)
            let known: Set = [
                "find_card", "select_card", "read", "read_fingerprint", "additional_address", "sam_id", "sam_status", "reset",
                "set_baud",
            ]
            if let unknown = values.keys.sorted().first(where: { !known.contains($0) }) {
                throw DecodingError.dataCorrupted(
                    .init(
                        codingPath: decoder.codingPath,
                        debugDescription: "unknown timeout '\(unknown)' (known: \(known.sorted().joined(separator: ", ")))"))
            }
        }

        /// The timeouts, defaults where not given.
        public var samTimeouts: SAMTimeouts {
            var timeouts = SAMTimeouts()
            func set(_ key: String, _ path: WritableKeyPath<SAMTimeouts, Duration>) {
                if let value = values[key] { timeouts[keyPath: path] = .milliseconds(value) }
            }
            set("find_card", \.findCard)
            set("select_card", \.selectCard)
            set("read", \.read)
            set("read_fingerprint", \.readWithFingerprint)
            set("additional_address", \.additionalAddress)
            set("sam_id", \.samID)
            set("sam_status", \.samStatus)
            set("reset", \.reset)
            set("set_baud", \.setBaudRate)
            return timeouts
        }
    }

    /// `polling:` intervals.
    public struct Polling: Sendable, Hashable, Decodable {
        public var cardIntervalMilliseconds: Int = 200
        public var healthIntervalMilliseconds: Int = 1000

        enum CodingKeys: String, CodingKey {
            case cardIntervalMilliseconds = "card_interval_ms"
            case healthIntervalMilliseconds = "health_interval_ms"
        }

        public init() {}
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            cardIntervalMilliseconds = try container.decodeIfPresent(Int.self, forKey: .cardIntervalMilliseconds) ?? 200
            healthIntervalMilliseconds = try container.decodeIfPresent(Int.self, forKey: .healthIntervalMilliseconds) ?? 1000
        }
    }

    /// `photo_decoder:` a licensed WLT library to load at run time.
    public struct PhotoDecoder: Sendable, Hashable, Decodable {
        public var library: String
        /// The exported function, `int f(const char *wlt, char *bmp, int flags)`; `unpack` in `libwlt2bmp.so`.
        public var symbol: String = "unpack"

        public init(library: String, symbol: String = "unpack") {
            self.library = library
            self.symbol = symbol
        }
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            library = try container.decode(String.self, forKey: .library)
            symbol = try container.decodeIfPresent(String.self, forKey: .symbol) ?? "unpack"
        }
        enum CodingKeys: String, CodingKey { case library, symbol }
    }

    public var transport: TransportKind
    public var usbBulk = USBBulk()
    public var serial = Serial()
    public var hid = HID()
    public var timeouts = SAMTimeouts()
    public var polling = Polling()
    /// Whether to read fingerprints too (slower; only when a service needs them).
    public var readFingerprint = false
    /// The reader model answers select-card with the card's serial; most answer eight zero
    /// bytes (`AA AA AA 96 69 00 0C 00 00 90 00…00 9C`), and clients compare that exactly.
    /// Here for the simulator, to play such a model.
    public var selectReportsSerial = false
    public var photoDecoder: PhotoDecoder?

    enum CodingKeys: String, CodingKey {
        case transport, serial, hid, polling
        case usbBulk = "usb_bulk"
        case timeouts = "timeouts_ms"
        case readFingerprint = "read_fingerprint"
        case selectReportsSerial = "select_reports_serial"
        case photoDecoder = "photo_decoder"
    }

    /// Settings for `transport` with every default.
    public init(transport: TransportKind) {
        self.transport = transport
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        transport = try container.decode(TransportKind.self, forKey: .transport)
        usbBulk = try container.decodeIfPresent(USBBulk.self, forKey: .usbBulk) ?? usbBulk
        serial = try container.decodeIfPresent(Serial.self, forKey: .serial) ?? serial
        hid = try container.decodeIfPresent(HID.self, forKey: .hid) ?? hid
        timeouts = try container.decodeIfPresent(Timeouts.self, forKey: .timeouts)?.samTimeouts ?? timeouts
        polling = try container.decodeIfPresent(Polling.self, forKey: .polling) ?? polling
        readFingerprint = try container.decodeIfPresent(Bool.self, forKey: .readFingerprint) ?? false
        selectReportsSerial = try container.decodeIfPresent(Bool.self, forKey: .selectReportsSerial) ?? false
        photoDecoder = try container.decodeIfPresent(PhotoDecoder.self, forKey: .photoDecoder)
        if SAMBaudRate(rawValue: serial.baud) == nil {
            throw DecodingError.dataCorruptedError(
                forKey: .serial, in: container,
                debugDescription: "baud \(serial.baud) is not one a SAM supports (115200, 57600, 38400, 19200, 9600)")
        }
    }

    /// The keys a profile of this kind may have, for misspelling checks.
    public static let shape: YAMLShape = .mapping([
        "kind": .scalar, "model": .scalar, "usb": .list(.scalar), "transport": .scalar, "notes": .any, "quirks": .any,
        "usb_bulk": .mapping([
            "form": .scalar, "interface": .scalar, "out": .list(.scalar), "in": .list(.scalar),
            "transfer_timeout_ms": .scalar,
        ]),
        "serial": .mapping(["path": .scalar, "baud": .scalar]),
        "hid": .mapping(["path": .scalar, "report_size": .scalar, "report_id": .scalar, "preamble": .scalar]),
        "timeouts_ms": .dictionary(.scalar),
        "polling": .mapping(["card_interval_ms": .scalar, "health_interval_ms": .scalar]),
        "read_fingerprint": .scalar, "select_reports_serial": .scalar,
        "photo_decoder": .mapping(["library": .scalar, "symbol": .scalar]),
    ])

    /// Reads and checks the settings of an ID-card-reader profile.
    public static func load(from profile: DeviceProfile) throws(FileProblem) -> IDCardProfileSettings {
        let file = try YAMLFile(text: profile.text, file: profile.file)
        if let problem = file.unknownKeys(shape).first { throw problem }
        return try file.decode(IDCardProfileSettings.self)
    }
}

/// A USB endpoint address, written `0x81` (a YAML integer or a string).
public struct EndpointAddress: Sendable, Hashable, Decodable, ExpressibleByIntegerLiteral {
    public var value: UInt8
    public init(integerLiteral value: UInt8) { self.value = value }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Int.self), let byte = UInt8(exactly: number) {
            value = byte
        } else if let text = try? container.decode(String.self),
            let byte = UInt8(text.lowercased().replacingOccurrences(of: "0x", with: ""), radix: 16)
        {
            value = byte
        } else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "an endpoint is written like 0x81")
        }
    }
}
