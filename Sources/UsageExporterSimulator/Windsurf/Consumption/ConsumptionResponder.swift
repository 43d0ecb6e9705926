import Foundation
import UsageExporter

/// Answers `GET /api/v2alpha/analytics/consumption` for one team from its consumption rows
/// (`SimulatedWindsurfTeam.consumptionRows()`), as the Analytics API v2 documents it: `granularity` (`daily`,
/// `monthly`, or none for one row over the range), `group_by` (`user`, `user,model_uid`, `ide`, or none),
/// `start_date`/`end_date` (`YYYY-MM-DD`, both inclusive; at most 90 days), cursor pagination (`page_size` up
/// to 10,000, `next_page_cursor` → `page_cursor`, cursors expire after 24 hours), an `ETag` per query, and the
/// fields of the team's billing strategy. Unknown parameters are refused (the simulator's choice: it catches
/// a client that misspells one).
struct ConsumptionResponder {
    let team: SimulatedWindsurfTeam
    /// The simulator's page size cap (the documented maximum is 10,000); tests lower it to get many pages.
    let maximumPageSize: Int
    /// How long a cursor stays valid.
    let cursorLifetime: Double
    let now: Double

    /// What the request gets.
    enum Outcome {
        case page(String, etag: String)
        case notModified(etag: String)
        case refused(status: Int, message: String)
    }

    /// The documented limits.
    static let defaultPageSize = 1_000
    static let largestPageSize = 10_000
    static let longestRange = 90
    static let parameterNames: Set<String> = ["granularity", "group_by", "start_date", "end_date", "page_size", "page_cursor"]

    struct Query: Hashable {
        let granularity: String?
        let groupBy: [String]
        let firstDay: Int
        let lastDay: Int
    }

    /// `loopCursor` (a fault) makes every page name a cursor to a page already served as the next one.
    /// `rowsOf` gives the rows of a query; the simulator passes its cache, so that the pages of one query
    /// group and sort the team's rows once.
    func answer(
        _ parameters: [(String, String)],
        ifNoneMatch: String?,
        loopCursor: Bool = false,
        rowsOf: (Query) -> [Row]
    ) -> Outcome {
        if case .unsupported(let name) = team.billingStrategy {
            return .refused(status: 400, message: "\(name) billing strategy is not yet supported by this endpoint")
        }
        var values: [String: String] = [:]
        for (name, value) in parameters {
            guard Self.parameterNames.contains(name) else { return .refused(status: 400, message: "unknown query parameter: \(name)") }
            guard values[name] == nil else { return .refused(status: 400, message: "query parameter \(name) given more than once") }
            values[name] = value
        }
        let query: Query
        switch Self.query(values, today: RFC3339Timestamp.day(at: now)) {
        case .success(let parsed): query = parsed
        case .failure(let refusal): return .refused(status: 400, message: refusal.message)
        }
        let pageSize: Int
        if let text = values["page_size"] {
            guard let size = Int(text), (1...Self.largestPageSize).contains(size) else {
                return .refused(status: 400, message: "invalid page_size: \(text) (1 to \(Self.largestPageSize))")
            }
            pageSize = min(size, maximumPageSize)
        } else {
            pageSize = min(Self.defaultPageSize, maximumPageSize)
        }
        var offset = 0
        if let text = values["page_cursor"] {
            switch ConsumptionCursor(text: text) {
            case let cursor? where cursor.query != query.hashValue:
                return .refused(status: 400, message: "invalid page cursor: it belongs to another query")
            case let cursor? where now - cursor.issuedAt > cursorLifetime:
                return .refused(status: 400, message: "page cursor expired")
            case let cursor?:
                offset = cursor.offset
            case nil:
                return .refused(status: 400, message: "invalid page cursor")
            }
        }

        let rows = rowsOf(query)
        let etag = "\"" + String(Self.fnv1a(query: query, rows: rows), radix: 16) + "\""
        if values["page_cursor"] == nil, let ifNoneMatch,
            ifNoneMatch.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == etag })
        {
            return .notModified(etag: etag)
        }
        let page = rows[min(offset, rows.count)..<min(offset + pageSize, rows.count)]
        var next: String?
        if loopCursor {
            next = values["page_cursor"] ?? ConsumptionCursor(offset: 0, issuedAt: now, query: query.hashValue).text
        } else if offset + pageSize < rows.count {
            next = ConsumptionCursor(offset: offset + pageSize, issuedAt: now, query: query.hashValue).text
        }
        return .page(body(page, query: query, next: next), etag: etag)
    }

    /// One output row: the grouping's labels and the summed amounts.
    struct Row {
        var timestamp: String?
        var member: Int?
        var model: String?
        var ide: String?
        var promptHundredths = 0
        var flexHundredths = 0
        var acuHundredths = 0
        var messages = 0
    }

    /// The rows of `query`, grouped and sorted (by time, then email, model and IDE).
    func rows(_ query: Query) -> [Row] {
        struct Key: Hashable {
            let timestamp: String?
            let member: Int?
            let model: String?
            let ide: String?
        }
        let byUser = query.groupBy.contains("user")
        let byModel = query.groupBy.contains("model_uid")
        let byIDE = query.groupBy.contains("ide")
        var sums: [Key: Row] = [:]
        for row in team.consumptionRows() where row.day >= query.firstDay && row.day <= query.lastDay {
            let date = RFC3339Timestamp.date(ofDay: row.day)
            let timestamp: String? =
                switch query.granularity {
                case "daily": date
                case "monthly": String(date.prefix(7))
                default: nil
                }
            let key = Key(timestamp: timestamp, member: byUser ? row.member : nil, model: byModel ? row.modelUID : nil, ide: byIDE ? row.ide : nil)
            var sum = sums[key] ?? Row(timestamp: key.timestamp, member: key.member, model: key.model, ide: key.ide)
            sum.promptHundredths += row.promptHundredths
            sum.flexHundredths += row.flexHundredths
            sum.acuHundredths += row.acuHundredths
            sum.messages += row.messages
            sums[key] = sum
        }
        let members = team.analytics.members
        func email(_ row: Row) -> String { row.member.map { members[$0].email } ?? "" }
        return sums.values.sorted {
            ($0.timestamp ?? "", email($0), $0.model ?? "", $0.ide ?? "") < ($1.timestamp ?? "", email($1), $1.model ?? "", $1.ide ?? "")
        }
    }

    func body(_ rows: ArraySlice<Row>, query: Query, next: String?) -> String {
        let members = team.analytics.members
        var text = "{\"data\":["
        text.reserveCapacity(rows.count * 220 + 300)
        for (index, row) in rows.enumerated() {
            if index > 0 { text += "," }
            var fields: [(String, String)] = []
            if let timestamp = row.timestamp { fields.append(("timestamp", JSONText.string(timestamp))) }
            if let member = row.member {
                fields.append(("user_id", JSONText.string(Self.userID(members[member].email))))
                fields.append(("user_email", JSONText.string(members[member].email)))
            }
            if let model = row.model { fields.append(("model_uid", JSONText.string(model))) }
            if let ide = row.ide { fields.append(("ide", JSONText.string(ide))) }
            var consumption: [(String, String)] = []
            switch team.billingStrategy {
            case .credits:
                consumption.append(("prompt_credits", Self.decimal(row.promptHundredths)))
                consumption.append(("flex_credits", Self.decimal(row.flexHundredths)))
            case .acu, .unsupported:
                consumption.append(("billed_acus", Self.decimal(row.acuHundredths)))
            }
            consumption.append(("message_count", String(row.messages)))
            fields.append(("consumption", JSONText.object(consumption)))
            text += JSONText.object(fields)
        }
        text += "],\"pagination\":{\"next_page_cursor\":\(next.map(JSONText.string) ?? "null")}"
        let freshness = RFC3339Timestamp.format((now / 3600).rounded(.down) * 3600)
        text += ",\"metadata\":"
        text += JSONText.object([
            ("billing_strategy", JSONText.string(team.billingStrategy.name)),
            ("data_freshness", JSONText.string(freshness)),
            ("query_time_ms", String(40 + rows.count / 50)),
            ("team_id", JSONText.string("team_" + String(Self.fnv1a(team.name) % 1_000_000_007, radix: 36))),
        ])
        text += "}"
        return text
    }

    /// The parsed query, or what is wrong with it.
    static func query(_ values: [String: String], today: Int) -> Result<Query, Refusal> {
        let granularity = values["granularity"]
        if let granularity, granularity != "daily", granularity != "monthly" {
            return .failure(Refusal("invalid granularity: \(granularity) (daily or monthly)"))
        }
        let groupBy = values["group_by"].map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) } ?? []
        guard [[], ["user"], ["user", "model_uid"], ["ide"]].contains(groupBy) else {
            return .failure(Refusal("invalid group_by: \(values["group_by"] ?? "") (user, user,model_uid or ide)"))
        }
        var days: [Int] = []
        for (name, fallback) in [("start_date", today - 30), ("end_date", today)] {
            guard let text = values[name] else {
                days.append(fallback)
                continue
            }
            guard let day = RFC3339Timestamp.day(ofDate: text) else {
                return .failure(Refusal("invalid \(name): \(text) (YYYY-MM-DD)"))
            }
            days.append(day)
        }
        guard days[0] <= days[1] else { return .failure(Refusal("start_date is after end_date")) }
        guard days[1] - days[0] < longestRange else {
            return .failure(Refusal("the date range may span at most \(longestRange) days"))
        }
        return .success(Query(granularity: granularity, groupBy: groupBy, firstDay: days[0], lastDay: days[1]))
    }

    /// A 400 answer's `error` text (the simulator's wording: the documentation lists no messages).
    struct Refusal: Error {
        let message: String
        init(_ message: String) { self.message = message }
    }

    /// `123.45` from hundredths, without trailing zeros (`3`, `0.5`).
    static func decimal(_ hundredths: Int) -> String {
        let whole = hundredths / 100
        let fraction = hundredths % 100
        if fraction == 0 { return String(whole) }
        if fraction % 10 == 0 { return "\(whole).\(fraction / 10)" }
        return "\(whole).\(fraction < 10 ? "0" : "")\(fraction)"
    }

    /// A stable `user_id` of an address.
    static func userID(_ email: String) -> String {
        "user_" + String(fnv1a(email), radix: 36)
    }

    static func fnv1a(_ text: String) -> UInt64 {
        WindsurfAnalyticsGenerator.fnv1a(text)
    }

    /// A hash of the whole answer to `query`: its `ETag`, which changes when any row does.
    static func fnv1a(query: Query, rows: [Row]) -> UInt64 {
        var text = "\(query.granularity ?? "")|\(query.groupBy)|\(query.firstDay)|\(query.lastDay)"
        for row in rows {
            text += "|\(row.timestamp ?? "")/\(row.member ?? -1)/\(row.model ?? "")/\(row.ide ?? "")/\(row.promptHundredths)"
            text += "/\(row.flexHundredths)/\(row.acuHundredths)/\(row.messages)"
        }
        return fnv1a(text)
    }
}

/// An opaque page cursor: where the next page starts, when the cursor was issued, and which query it belongs to.
struct ConsumptionCursor {
    let offset: Int
    let issuedAt: Double
    let query: Int

    init(offset: Int, issuedAt: Double, query: Int) {
        self.offset = offset
        self.issuedAt = issuedAt
        self.query = query
    }

    init?(text: String) {
        guard text.utf8.count <= 200,
            let data = Data(base64Encoded: text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")),
            let decoded = String(data: data, encoding: .utf8)
        else { return nil }
        let parts = decoded.split(separator: ":")
        guard parts.count == 4, parts[0] == "c1", let offset = Int(parts[1]), offset >= 0, let issuedAt = Double(parts[2]),
            let query = Int(parts[3])
        else { return nil }
        self.init(offset: offset, issuedAt: issuedAt, query: query)
    }

    var text: String {
        Data("c1:\(offset):\(issuedAt):\(query)".utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
    }
}
