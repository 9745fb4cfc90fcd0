import Foundation

extension CivilDate {
    /// The day `date` falls on in `timeZone` (the kiosk's or the platform's civil day).
    public init(_ date: Date, in timeZone: TimeZone) {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down)) + timeZone.secondsFromGMT(for: date)
        self.init(dayNumber: Int((Double(seconds) / 86_400).rounded(.down)))
    }

    /// Midnight at the start of this day in `timeZone`.
    public func start(in timeZone: TimeZone) -> Date {
        let local = Date(timeIntervalSince1970: TimeInterval(dayNumber) * 86_400)
        return local.addingTimeInterval(-TimeInterval(timeZone.secondsFromGMT(for: local)))
    }
}
