/// Sums the daily consumption rows of one team's query (every page) into each analytics window and turns the
/// sums into the families of ``WindsurfConsumptionFamilies``.
///
/// Which quantities a team gets follows its billing strategy: credits (`prompt_credits`, `flex_credits`) for
/// `CREDITS`, ACUs (`billed_acus`) for `ACU`, and whichever the rows fill for any other strategy; messages
/// always. A row's `model_uid` is the `model` label (`unknown` when empty); per-user series are summed by the
/// `email` label, so two spellings of one address are one user.
public struct WindsurfConsumptionSnapshotBuilder: Sendable, Equatable {
    public let team: String
    public let emailLabeler: EmailLabeler
    /// Export per-user series; false keeps only the team's sums by model.
    public let perUser: Bool

    public init(team: String, emailLabeler: EmailLabeler = EmailLabeler(), perUser: Bool = true) {
        self.team = team
        self.emailLabeler = emailLabeler
        self.perUser = perUser
    }

    /// The `model` label of a row without `model_uid`.
    public static let unknownModel = "unknown"

    /// What a build left out or could not place, for the collector's log.
    public struct Notes: Sendable, Equatable {
        /// Rows without a readable `timestamp`: in no window.
        public var rowsWithoutDay = 0
        /// Rows dated outside every window (the API's range is inclusive, the windows end before today).
        public var rowsOutsideWindows = 0
        /// Rows without `user_email`: in the team's sums, in no user's.
        public var rowsWithoutEmail = 0
    }

    /// An empty accumulator for `windows`.
    public func accumulator(windows: [WindsurfAnalyticsWindow]) -> Accumulator {
        Accumulator(builder: self, windows: windows)
    }

    /// The families of one poll, built one page at a time as the pages arrive.
    public struct Accumulator {
        struct Totals {
            var promptCredits = 0.0
            var flexCredits = 0.0
            var acus = 0.0
            var messages = 0.0

            mutating func add(_ row: WindsurfConsumptionPage.Row) {
                promptCredits += row.promptCredits ?? 0
                flexCredits += row.flexCredits ?? 0
                acus += row.billedACUs ?? 0
                messages += row.messageCount ?? 0
            }
        }

        struct UserAndModel: Hashable {
            let email: String
            let model: String
        }

        let builder: WindsurfConsumptionSnapshotBuilder
        let windows: [WindsurfAnalyticsWindow]
        /// Per window (in `windows`' order): the team's sums by model, and the users' by email and model.
        private var teamTotals: [[String: Totals]]
        private var userTotals: [[UserAndModel: Totals]]
        /// `email` labels by the address as the API wrote it: a pseudonym is computed once per user, not per row.
        private var labels: [String: String?] = [:]
        private var rowsFillCredits = false
        private var rowsFillACUs = false
        public private(set) var billingStrategy = ""
        public private(set) var dataFreshness: Double?
        public private(set) var notes = Notes()

        init(builder: WindsurfConsumptionSnapshotBuilder, windows: [WindsurfAnalyticsWindow]) {
            self.builder = builder
            self.windows = windows
            teamTotals = Array(repeating: [:], count: windows.count)
            userTotals = Array(repeating: [:], count: windows.count)
        }

        /// Adds the rows of one page; the metadata of the first page that has it is kept.
        public mutating func add(_ page: WindsurfConsumptionPage) {
            if billingStrategy.isEmpty { billingStrategy = page.billingStrategy }
            if dataFreshness == nil { dataFreshness = page.dataFreshness }
            let days = windows.map { (first: RFC3339Timestamp.day(at: $0.start), end: RFC3339Timestamp.day(at: $0.end)) }
            for row in page.rows {
                guard let day = row.day else {
                    notes.rowsWithoutDay += 1
                    continue
                }
                rowsFillCredits = rowsFillCredits || (row.promptCredits ?? 0) > 0 || (row.flexCredits ?? 0) > 0
                rowsFillACUs = rowsFillACUs || (row.billedACUs ?? 0) > 0
                let model = row.modelUID.isEmpty ? WindsurfConsumptionSnapshotBuilder.unknownModel : row.modelUID
                let email = builder.perUser ? label(for: row.userEmail) : nil
                if builder.perUser, email == nil { notes.rowsWithoutEmail += 1 }
                var counted = false
                for (index, window) in days.enumerated() where day >= window.first && day < window.end {
                    counted = true
                    teamTotals[index][model, default: Totals()].add(row)
                    if let email { userTotals[index][UserAndModel(email: email, model: model), default: Totals()].add(row) }
                }
                if !counted { notes.rowsOutsideWindows += 1 }
            }
        }

        /// `value` to a millionth: amounts are decimals (`0.12` ACUs) and their binary sums carry noise
        /// (`0.1 + 0.2` is `0.30000000000000004`); no amount the API gives is finer.
        static func rounded(_ value: Double) -> Double {
            abs(value) < 1e9 ? (value * 1e6).rounded() / 1e6 : value
        }

        private mutating func label(for email: String) -> String? {
            if let known = labels[email] { return known }
            let label = builder.emailLabeler.label(for: email)
            labels[email] = label
            return label
        }

        /// The families, in the order of ``WindsurfConsumptionFamilies/all``.
        public func finish() -> [FamilySamples] {
            typealias F = WindsurfConsumptionFamilies
            let credits = billingStrategy == "CREDITS" || (billingStrategy != "ACU" && rowsFillCredits)
            let acus = billingStrategy == "ACU" || (billingStrategy != "CREDITS" && rowsFillACUs)
            var builders: [MetricFamily: FixedSamplesBuilder] = [:]
            func record(_ family: MetricFamily, _ labels: LabelSet, _ value: Double) {
                builders[family, default: FixedSamplesBuilder(family)].add(labels, Self.rounded(value))
            }
            func recordTotals(_ totals: Totals, _ labels: LabelSet, user: Bool) {
                if credits {
                    record(user ? F.userPromptCredits : F.promptCredits, labels, totals.promptCredits)
                    record(user ? F.userFlexCredits : F.flexCredits, labels, totals.flexCredits)
                }
                if acus { record(user ? F.userACUs : F.acus, labels, totals.acus) }
                record(user ? F.userMessages : F.messages, labels, totals.messages)
            }
            for (index, window) in windows.enumerated() {
                let scope = LabelSet([("team", builder.team), ("window", window.label)])
                for (key, totals) in userTotals[index].sorted(by: { ($0.key.email, $0.key.model) < ($1.key.email, $1.key.model) }) {
                    recordTotals(totals, scope.adding([("email", key.email), ("model", key.model)]), user: true)
                }
                for (model, totals) in teamTotals[index].sorted(by: { $0.key < $1.key }) {
                    recordTotals(totals, scope.adding([("model", model)]), user: false)
                }
            }
            if !billingStrategy.isEmpty {
                record(F.billingStrategyInfo, LabelSet([("team", builder.team), ("strategy", billingStrategy)]), 1)
            }
            if let dataFreshness {
                record(F.dataFreshness, LabelSet([("team", builder.team)]), dataFreshness)
            }
            return F.all.compactMap { builders[$0]?.build() }
        }
    }
}
