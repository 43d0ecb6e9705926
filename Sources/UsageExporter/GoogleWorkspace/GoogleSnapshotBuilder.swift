/// Turns Workspace usage parameters into families by the naming rules of SPEC.md. Two parameters that
/// map to one family, or msgValue objects with the same label set, never produce duplicate series: the
/// first wins and the rest are counted in `skipped`.
public struct GoogleSnapshotBuilder: Sendable, Equatable {
    public let customer: String
    public let userReport: Bool
    public let emailLabeler: EmailLabeler
    public let perUser: Bool

    public static let reportDate = MetricFamily(
        "google_workspace_usage_report_date_timestamp_seconds",
        help: "Start (00:00 UTC-8) of the report date the Workspace values describe, by report (customer or user).",
        labels: ["customer", "report"]
    )

    public init(customer: String, userReport: Bool, emailLabeler: EmailLabeler = EmailLabeler(), perUser: Bool = true) {
        self.customer = customer
        self.userReport = userReport
        self.emailLabeler = emailLabeler
        self.perUser = perUser
    }

    /// What a build left out, for the collector's log.
    public struct Notes: Sendable, Equatable {
        /// Series dropped because an earlier parameter or object already produced the same series.
        public var duplicateSeries: [String] = []
        public var usersWithoutEmail = 0
        public var unsupportedParameters: [String] = []
    }

    /// Families of the customer report for `day`.
    public func customerFamilies(parameters: [GoogleUsageParameter], day: Int) -> (families: [FamilySamples], notes: Notes) {
        var accumulator = Accumulator()
        let labels = [("customer", customer)]
        for parameter in parameters {
            add(parameter, labels: labels, into: &accumulator)
        }
        return finish(accumulator, day: day)
    }

    /// Families of the per-user report for `day`: one entry per user, keyed by email.
    public func userFamilies(reports: [(email: String?, parameters: [GoogleUsageParameter])], day: Int) -> (families: [FamilySamples], notes: Notes) {
        var accumulator = Accumulator()
        if perUser {
            for report in reports {
                guard let email = report.email.flatMap(emailLabeler.label(for:)) else {
                    accumulator.notes.usersWithoutEmail += 1
                    continue
                }
                let labels = [("customer", customer), ("email", email)]
                for parameter in report.parameters {
                    add(parameter, labels: labels, into: &accumulator)
                }
            }
        }
        return finish(accumulator, day: day)
    }

    struct Accumulator {
        var order: [String] = []
        var builders: [String: FixedSamplesBuilder] = [:]
        var seen: Set<SeriesKey> = []
        var notes = Notes()

        mutating func add(_ name: String, help: String, labels: [(String, String)], value: Double) {
            let labelSet = LabelSet(labels)
            guard seen.insert(SeriesKey(name: name, labels: labelSet)).inserted else {
                notes.duplicateSeries.append(name + labelSet.rendered)
                return
            }
            if builders[name] == nil {
                order.append(name)
                builders[name] = FixedSamplesBuilder(MetricFamily(name, help: help))
            }
            builders[name]!.add(labelSet, value)
        }
    }

    /// A series' identity for the duplicate check: two independent 64-bit hashes (the process's random seed,
    /// told apart by a prefix) of its name and labels. 16 bytes instead of a copy of the series' text: a
    /// per-user report has hundreds of thousands of series, whose copies took more memory than the
    /// snapshot itself. Two different series share a key with a probability of about n²/2¹²⁹.
    struct SeriesKey: Hashable {
        let first: Int
        let second: Int

        init(name: String, labels: LabelSet) {
            var first = Hasher()
            first.combine(0 as UInt8)
            first.combine(name)
            first.combine(labels.rendered)
            var second = Hasher()
            second.combine(1 as UInt8)
            second.combine(name)
            second.combine(labels.rendered)
            self.first = first.finalize()
            self.second = second.finalize()
        }
    }

    private func add(_ parameter: GoogleUsageParameter, labels: [(String, String)], into accumulator: inout Accumulator) {
        let base = GoogleFamilyNaming.base(of: parameter.name, userReport: userReport)
        let report = userReport ? "per-user" : "customer"
        let help = "Google Workspace \(report) usage parameter \(parameter.name)"
        switch parameter.value {
        case .int(let number):
            let (name, factor) = GoogleFamilyNaming.baseUnits(base)
            accumulator.add(name, help: help + (factor == 1 ? "." : ", in base units."), labels: labels, value: number * factor)
        case .bool(let flag):
            accumulator.add(base, help: help + " (1 true, 0 false).", labels: labels, value: flag ? 1 : 0)
        case .datetime(let seconds):
            accumulator.add(GoogleFamilyNaming.timestampName(base), help: help + ", in Unix seconds.", labels: labels, value: seconds)
        case .string(let text):
            accumulator.add(base + "_info", help: help + " as the label value; always 1.", labels: labels + [("value", text)], value: 1)
        case .messages(let messages):
            for message in messages {
                var messageLabels = labels
                for (field, value) in message.labels {
                    var name = GoogleFamilyNaming.labelName(field)
                    if labels.contains(where: { $0.0 == name }) || name == "value" { name = "field_" + name }
                    messageLabels.append((name, value))
                }
                switch message.numbers.count {
                case 0:
                    accumulator.add(base + "_info", help: help + ", one series per object; always 1.", labels: messageLabels, value: 1)
                case 1:
                    let (name, factor) = GoogleFamilyNaming.baseUnits(base)
                    let field = message.numbers[0]
                    accumulator.add(name, help: help + " (\(field.0)), one series per object.", labels: messageLabels, value: field.1 * factor)
                default:
                    for (field, value) in message.numbers {
                        let (name, factor) = GoogleFamilyNaming.baseUnits(base + "_" + GoogleFamilyNaming.sanitize(field))
                        accumulator.add(name, help: help + " field \(field), one series per object.", labels: messageLabels, value: value * factor)
                    }
                }
            }
        case .unsupported:
            accumulator.notes.unsupportedParameters.append(parameter.name)
        }
    }

    private func finish(_ accumulator: Accumulator, day: Int) -> (families: [FamilySamples], notes: Notes) {
        var families = accumulator.order.compactMap { accumulator.builders[$0]?.build() }
        var date = FixedSamplesBuilder(Self.reportDate)
        date.add(LabelSet([("customer", customer), ("report", userReport ? "user" : "customer")]), GoogleReportDate.start(of: day))
        families.append(date.build()!)
        return (families, accumulator.notes)
    }
}
