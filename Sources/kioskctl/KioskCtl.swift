import ArgumentParser

/// The technicians' provisioning CLI. Commands that need the daemon talk to it over its admin
/// socket; the others (decode, lint, replay) work on files alone.
@main
struct KioskCtl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kioskctl",
        abstract: "Provision, check and repair a self-service government kiosk.",
        subcommands: [
            Status.self,
            SyncCommand.self,
            Enroll.self,
            Provision.self,
            Doctor.self,
            Config.self,
            Store.self,
            Version.self,
            CatalogCommand.self, BundleCommand.self, CalendarCommand.self,
            Touch.self,
            IDCard.self,
            Printer.self, Print.self,
            UdevRulesCommand.self,
            AuditCommand.self, TechnicianCommand.self,
            FactoryReset.self,
        ]
    )
}
