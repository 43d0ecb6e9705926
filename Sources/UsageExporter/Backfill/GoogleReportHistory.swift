/// The past of one Workspace report (customer, or per-user with `--backfill.per-user`): every report date the
/// range needs, asked once each, turned into families by the live collector's own code.
///
/// Availability: a date D is taken to become available `lag` after the start of D (00:00 UTC−8). Without
/// `--backfill.google-lag`, the lag is what the live exporter observes now, in whole days: the newest complete
/// date (found by the live walk) is that many days before today. At an instant t the backfill then serves what
/// the live walk would have found at t: the newest complete date available at t, from yesterday back
/// `max_lookback_days`, or the newest incomplete one without its warned applications, as the live fallback does.
struct GoogleReportHistory: BackfillHistory {
    let poller: GoogleReportPoller

    var id: SourceID { poller.id }
    var customer: GoogleWorkspaceCustomerConfiguration { poller.customer }

    /// How far back Google keeps usage reports.
    static let retentionDays = 450

    var cacheIdentity: String {
        let builder = poller.builder
        return [
            "google", poller.report == .customer ? "customer" : "users", customer.name, customer.customerID, customer.baseURL,
            (poller.report == .customer ? customer.customerParameters : customer.userParameters).joined(separator: ","),
            "per_user=\(builder.perUser)", "emails=\(builder.emailLabeler.fingerprint)",
        ].joined(separator: "\n")
    }

    func prepare(_ context: BackfillContext) async throws -> any BackfillSchedule {
        let api = GoogleReportsAPI(customer: customer, tokens: poller.tokens)
        let options = context.options
        let poll = context.pollContext(for: id)
        let today = GoogleReportDate.day(at: context.now)
        var requested = GoogleRequestedParameters(configured: poller.report == .customer ? customer.customerParameters : customer.userParameters)
        var prepared: [Int: BackfillAnswer] = [:]
        let lag: Int
        var newest = GoogleReportDate.day(at: Double(options.end)) - 1
        var facts: [String: String] = [:]
        if let given = options.googleLag {
            lag = given
            facts["lag"] = PrometheusDuration.format(.seconds(given)) + " (--backfill.google-lag)"
        } else {
            // The live walk, as the exporter polls now: the newest complete date gives the lag, and its answer is kept.
            let answer: GoogleReportsAPI.Answer
            do {
                answer = try await api.newestCompleteReport(poller.report, context: poll)
            } catch let error as CollectorError {
                throw BackfillError.lagNotObserved(source: id, error: error)
            }
            requested = answer.requested
            let days = today - answer.day
            lag = days * 86_400
            facts["lag"] =
                "\(days)d (observed: \(GoogleReportDate.format(answer.day)) is the newest complete date on \(GoogleReportDate.format(today)))"
            prepared[answer.day] = answer.omittedApplications.isEmpty ? complete(answer.reports, day: answer.day) : nil
            newest = min(newest, answer.day)
        }
        // At the first instant the live walk looks back max_lookback_days from yesterday; the newest date the
        // last instant can see is the one available by then.
        let oldest = max(GoogleReportDate.day(at: Double(options.start)) - customer.maxLookbackDays, today - Self.retentionDays)
        newest = min(newest, GoogleReportDate.day(at: Double(options.end) - Double(lag)))
        if GoogleReportDate.day(at: Double(options.start)) - customer.maxLookbackDays < today - Self.retentionDays {
            context.logger.warning(
                "Google keeps usage reports for \(Self.retentionDays) days: no history before \(GoogleReportDate.format(today - Self.retentionDays))",
                metadata: ["collector": "\(id.collector.rawValue)", "source": "\(id.source)"]
            )
        }
        return Schedule(
            history: self,
            requested: requested,
            lag: lag,
            days: oldest <= newest ? Array(oldest...newest) : [],
            prepared: prepared,
            facts: facts
        )
    }

    /// The answer of a complete date.
    func complete(_ reports: [GoogleUsageReportPage.Report], day: Int) -> BackfillAnswer {
        BackfillAnswer(completeness: .complete, families: poller.families(of: reports, day: day).families)
    }

    struct Schedule: BackfillSchedule {
        let history: GoogleReportHistory
        /// The parameters to ask for, after the names Google refused during preparation.
        let requested: GoogleRequestedParameters
        /// Seconds after the start of a date at which it is available.
        let lag: Int
        let days: [Int]
        let prepared: [Int: BackfillAnswer]
        let facts: [String: String]

        func dateText(_ day: Int) -> String { GoogleReportDate.format(day) }

        func fetch(day: Int, context: BackfillContext) async throws -> BackfillAnswer? {
            let api = GoogleReportsAPI(customer: history.customer, tokens: history.poller.tokens)
            var requested = self.requested
            let pages = try await api.allPages(history.poller.report, day: day, requested: &requested, context: context.pollContext(for: history.id))
            guard case .available(let reports, let warnings) = pages else { return nil }
            if reports.allSatisfy({ $0.parameters.isEmpty }) { return BackfillAnswer(completeness: .empty, families: []) }
            let incomplete = warnings.filter(\.marksIncompleteData)
            if incomplete.isEmpty { return history.complete(reports, day: day) }
            // What the live fallback exports: the date without the applications its warnings name.
            guard let applications = GoogleReportsAPI.applications(incomplete) else { return BackfillAnswer(completeness: .empty, families: []) }
            let kept = GoogleReportsAPI.without(applications, reports)
            guard !kept.allSatisfy({ $0.parameters.isEmpty }) else { return BackfillAnswer(completeness: .empty, families: []) }
            return BackfillAnswer(completeness: .partial(applications.sorted()), families: history.poller.families(of: kept, day: day).families)
        }

        func selection(at instant: Int, completeness: (Int) -> BackfillAnswer.Completeness?) -> Int? {
            let yesterday = GoogleReportDate.day(at: Double(instant)) - 1
            let oldest = yesterday - (history.customer.maxLookbackDays - 1)
            var fallback: Int?
            var day = yesterday
            while day >= oldest {
                if Int(flooring: GoogleReportDate.start(of: day)) + lag <= instant {
                    switch completeness(day) {
                    case .complete?: return day
                    case .partial?: fallback = fallback ?? day
                    default: break
                    }
                }
                day -= 1
            }
            return fallback
        }
    }
}

extension EmailLabeler {
    /// A value that differs between labelers (plain, or pseudonymized with another salt) and reveals no salt:
    /// the label of a fixed address.
    var fingerprint: String { label(for: "fingerprint@usage-exporter.invalid") ?? "" }
}
