import Foundation

extension KPIReport {
    /// The report as `kiosk-platform report kpi` prints it, for the county's officials.
    public var text: String {
        func percent(_ value: Double?) -> String { value.map { String(format: "%.1f%%", $0 * 100) } ?? "-" }
        var lines = [
            "measured on live cases, each against its own items one by one (catalog estimate for the common situation in brackets); targets: fields ≥ 50%, materials −60%, time −70%, steps −80%",
            "",
        ]
        for bundle in bundles {
            lines.append("\(bundle.name) (\(bundle.bundle)): \(bundle.cases) case(s), \(bundle.finishedCases) finished")
            lines.append(
                "  fields filled for the citizen  \(percent(bundle.autoFilledFields)) (\(percent(bundle.catalogAutoFilledFields)))")
            lines.append(
                "  fewer materials                \(percent(bundle.materialReduction)) (\(percent(bundle.catalogMaterialReduction)))"
            )
            let days = bundle.meanWorkingDays.map { String(format: ", %.1f working days on average", $0) } ?? ""
            lines.append(
                "  less time                      \(percent(bundle.timeReduction)) (\(percent(bundle.catalogTimeReduction)))\(days)"
            )
            lines.append("  fewer steps                    - (\(percent(bundle.catalogStepReduction)))")
            lines.append(
                "  主动评价率 \(percent(bundle.rating.ratedShare)) (\(bundle.rating.rated)/\(bundle.rating.visits)), 好评率 \(percent(bundle.rating.goodShare))"
            )
            // Each situation against its own items one by one: the common one is what
            // the catalog's figures above describe.
            lines.append("  by situation (the items applied for):")
            for situation in bundle.situations {
                lines.append(
                    "    \(situation.cases) case(s)\(situation.common ? ", the common situation" : ""): "
                        + situation.itemNames.joined(separator: "、"))
                lines.append(
                    "      fields filled \(percent(situation.autoFilledFields)) (\(percent(situation.catalogAutoFilledFields)))"
                        + " · fewer materials \(percent(situation.materialReduction)) (\(percent(situation.catalogMaterialReduction)))"
                        + " · less time \(percent(situation.timeReduction)) (\(percent(situation.catalogTimeReduction))),"
                        + " \(situation.finishedCases) finished · fewer steps - (\(percent(situation.catalogStepReduction)))")
            }
        }
        if bundles.isEmpty { lines.append("no cases yet") }
        lines.append("")
        lines.append("好差评 per kiosk:")
        for (kiosk, rating) in kiosks.sorted(by: { $0.key < $1.key }) {
            lines.append(
                "  \(kiosk)  主动评价率 \(percent(rating.ratedShare)) (\(rating.rated)/\(rating.visits)), 好评率 \(percent(rating.goodShare))"
            )
        }
        return lines.joined(separator: "\n")
    }
}
