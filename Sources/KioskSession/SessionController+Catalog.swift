import KioskAPI
import KioskCore

extension SessionController {
    /// A new catalogue or calendar (a signed bundle the relay verified and installed): the
    /// sessions that start from now on use it; a session under way keeps the blueprint it began with.
    public func install(catalog: Catalog? = nil, calendar: WorkingDayCalendar? = nil) {
        if let catalog { self.catalog = catalog }
        if let calendar { self.calendar = calendar }
    }

    /// The platform's signed list of query-and-print services, offered from now on.
    public func install(queryServices: [QueryService]) {
        guard queryServices != self.queryServices else { return }
        self.queryServices = queryServices
        changed("services")
    }
}
