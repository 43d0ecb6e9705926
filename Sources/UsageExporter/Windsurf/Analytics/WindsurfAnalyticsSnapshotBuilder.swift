/// Turns the analytics answers of one team's poll (per group and window) into the families of SPEC.md,
/// escaping every label block once.
public struct WindsurfAnalyticsSnapshotBuilder: Sendable, Equatable {
    public let team: String
    public let emailLabeler: EmailLabeler
    /// Export per-user series; false keeps only the team (and group) aggregates.
    public let perUser: Bool

    public init(team: String, emailLabeler: EmailLabeler = EmailLabeler(), perUser: Bool = true) {
        self.team = team
        self.emailLabeler = emailLabeler
        self.perUser = perUser
    }

    /// What one scope (the team, or one group) answered for one window.
    public struct Answer: Sendable {
        public var group: String?
        public var window: WindsurfAnalyticsWindow
        public var cascade: WindsurfCascadeAnalytics
        public var custom: WindsurfCustomAnalytics
        /// The scope's users by `apiKey`; empty without per-user series.
        public var users: WindsurfAPIKeyDirectory

        public init(
            group: String?,
            window: WindsurfAnalyticsWindow,
            cascade: WindsurfCascadeAnalytics,
            custom: WindsurfCustomAnalytics,
            users: WindsurfAPIKeyDirectory
        ) {
            self.group = group
            self.window = window
            self.cascade = cascade
            self.custom = custom
            self.users = users
        }
    }

    /// What a build left out, for the collector's log.
    public struct Notes: Sendable, Equatable {
        /// `api_key` rows whose key no user of the user page holds (a user who left): counted, not exported.
        public var unknownKeys = 0
        /// Cascade rows dated outside the window's days, ignored.
        public var rowsOutsideWindow = 0
    }

    private typealias F = WindsurfAnalyticsFamilies
    private typealias Alias = WindsurfAnalyticsQueries.Alias

    /// The families of every answer. Throws reason `decode` when an item's value is not a number.
    public func families(_ answers: [Answer]) throws -> (families: [FamilySamples], notes: Notes) {
        var families = accumulator()
        for answer in answers { try families.add(answer) }
        return (families.finish(), families.notes)
    }

    /// An empty accumulator of this builder's families.
    public func accumulator() -> Accumulator { Accumulator(builder: self) }

    /// The families of one poll, built one answer at a time as the answers arrive, so that a poll never
    /// holds more than one answer's rows (a 30-day Cascade answer of a large team is megabytes).
    public struct Accumulator {
        let builder: WindsurfAnalyticsSnapshotBuilder
        private var builders: [MetricFamily: FixedSamplesBuilder] = [:]
        public private(set) var notes = Notes()

        init(builder: WindsurfAnalyticsSnapshotBuilder) {
            self.builder = builder
        }

        private mutating func record(_ family: MetricFamily, _ labels: LabelSet, _ value: Double) {
            assert(F.all.contains(family), "\(family.name) is missing from WindsurfAnalyticsFamilies.all")
            builders[family, default: FixedSamplesBuilder(family)].add(labels, value)
        }

        /// Adds the families of one scope and window. Throws reason `decode` when a value is not a number.
        public mutating func add(_ answer: Answer) throws {
            var scope: [(String, String)] = [("team", builder.team)]
            if let group = answer.group { scope.append(("group", group)) }
            scope.append(("window", answer.window.label))
            let labels = LabelSet(scope)
            let window = answer.window

            // Cascade: rows dated outside the window's days (end exclusive) are ignored; a row without a
            // readable day is counted (the request asked for the window's days only).
            func isCounted(_ day: Double?) -> Bool {
                guard let day, !window.contains(day) else { return true }
                notes.rowsOutsideWindow += 1
                return false
            }
            let lines = answer.cascade.lines.filter { isCounted($0.day) }
            record(F.cascadeLinesSuggested, labels, lines.reduce(0) { $0 + $1.linesSuggested })
            record(F.cascadeLinesAccepted, labels, lines.reduce(0) { $0 + $1.linesAccepted })

            // Credits are summed in hundredths, as the API counts them, and divided once.
            var runs: [ModelAndMode: (messages: Double, hundredths: Double)] = [:]
            var conversations: Set<String> = []
            for run in answer.cascade.runs where isCounted(run.day) {
                // Rows of one conversation may be split across entries: they add up.
                runs[ModelAndMode(model: run.model, mode: run.mode), default: (0, 0)].messages += run.messagesSent
                runs[ModelAndMode(model: run.model, mode: run.mode), default: (0, 0)].hundredths += run.promptsUsed
                if !run.cascadeID.isEmpty { conversations.insert(run.cascadeID) }
            }
            for (key, totals) in runs.sorted(by: { ($0.key.model, $0.key.mode) < ($1.key.model, $1.key.mode) }) {
                let runLabels = labels.adding([("model", key.model), ("mode", key.mode)])
                record(F.cascadeMessagesSent, runLabels, totals.messages)
                record(F.cascadePromptCreditsUsed, runLabels, totals.hundredths / 100)
            }
            record(F.cascadeConversations, labels, Double(conversations.count))

            var tools: [String: Double] = [:]
            for usage in answer.cascade.tools { tools[usage.tool, default: 0] += usage.count }
            for (tool, count) in tools.sorted(by: { $0.key < $1.key }) {
                record(F.cascadeToolCalls, labels.adding([("tool", tool)]), count)
            }

            // Autocomplete by language and IDE.
            let custom = answer.custom
            var byLanguage: [LanguageAndIDE: (acceptances: Double, lines: Double, bytes: Double)] = [:]
            for item in custom.items(WindsurfAnalyticsQueries.Index.byLanguageAndIDE) {
                let key = LanguageAndIDE(language: item.text(Alias.language), ide: item.text(Alias.ide))
                byLanguage[key, default: (0, 0, 0)].acceptances += try builder.number(item, Alias.acceptances)
                byLanguage[key, default: (0, 0, 0)].lines += try builder.number(item, Alias.linesAccepted)
                byLanguage[key, default: (0, 0, 0)].bytes += try builder.number(item, Alias.bytesAccepted)
            }
            for (key, totals) in byLanguage.sorted(by: { ($0.key.language, $0.key.ide) < ($1.key.language, $1.key.ide) }) {
                let languageLabels = labels.adding([("language", key.language), ("ide", key.ide)])
                record(F.autocompleteAcceptances, languageLabels, totals.acceptances)
                record(F.autocompleteLinesAccepted, languageLabels, totals.lines)
                record(F.autocompleteAcceptedBytes, languageLabels, totals.bytes)
            }

            let distinctUsers = try custom.items(WindsurfAnalyticsQueries.Index.distinctUsers).reduce(0) { try $0 + builder.number($1, Alias.users) }
            record(F.autocompleteUsers, labels, distinctUsers)

            // Per user: api_key rows joined to the user page's keys; the key itself goes no further.
            if builder.perUser {
                var byEmail: [String: (acceptances: Double, lines: Double)] = [:]
                for item in custom.items(WindsurfAnalyticsQueries.Index.byAPIKey) {
                    guard let email = answer.users.email(forKey: item.text(Alias.apiKey)) else {
                        notes.unknownKeys += 1
                        continue
                    }
                    byEmail[email, default: (0, 0)].acceptances += try builder.number(item, Alias.acceptances)
                    byEmail[email, default: (0, 0)].lines += try builder.number(item, Alias.linesAccepted)
                }
                for (email, totals) in byEmail.sorted(by: { $0.key < $1.key }) {
                    let userLabels = labels.adding([("email", email)])
                    record(F.userAutocompleteAcceptances, userLabels, totals.acceptances)
                    record(F.userAutocompleteLinesAccepted, userLabels, totals.lines)
                }
            }

            // Percent Code Written: one item for the range (none, or an empty one, when nothing was written).
            let written = custom.items(WindsurfAnalyticsQueries.Index.codeWritten)
            let autocompleteBytes = try written.reduce(0) { try $0 + builder.number($1, Alias.autocompleteBytes) }
            let commandBytes = try written.reduce(0) { try $0 + builder.number($1, Alias.commandBytes) }
            let userBytes = try written.reduce(0) { try $0 + builder.number($1, Alias.userBytes) }
            record(F.codeWrittenBytes, labels.adding([("author", "autocomplete")]), autocompleteBytes)
            record(F.codeWrittenBytes, labels.adding([("author", "command")]), commandBytes)
            record(F.codeWrittenBytes, labels.adding([("author", "user")]), userBytes)
            if let item = written.first, try builder.number(item, Alias.totalBytes) > 0 {
                record(F.aiCodeWrittenRatio, labels, try builder.number(item, Alias.ratio))
            }
        }

        /// The families, in a fixed order.
        public func finish() -> [FamilySamples] {
            F.all.compactMap { builders[$0]?.build() }
        }
    }

    /// The number of `alias` in `item` (absent is 0), or reason `decode`.
    fileprivate func number(_ item: WindsurfCustomAnalytics.Item, _ alias: String) throws -> Double {
        guard let value = item.number(alias) else {
            throw CollectorError(.decode, "Analytics answered \(alias) = \"\(item.text(alias).prefix(40))\", which is not a number")
        }
        return value
    }

    private struct ModelAndMode: Hashable {
        let model: String
        let mode: String
    }

    private struct LanguageAndIDE: Hashable {
        let language: String
        let ide: String
    }
}
