/// The answer of `POST /api/v1/CascadeAnalytics`: Cascade's daily lines, its runs (model, mode,
/// conversation) and its tool calls over the range. Every number may come as a string or a number, and
/// zero fields are omitted (0).
public struct WindsurfCascadeAnalytics: Sendable, Decodable, WindsurfAnswer {
    /// A `cascadeLines` row: one day.
    public struct Lines: Sendable, Equatable {
        /// Unix seconds of the row's day; nil when the row has no readable `day`.
        public var day: Double?
        public var linesSuggested: Double
        public var linesAccepted: Double
    }

    /// A `cascadeRuns` row. The rows of one conversation may be split across entries: sum them.
    public struct Run: Sendable, Equatable {
        public var day: Double?
        public var model: String
        public var mode: String
        public var messagesSent: Double
        public var cascadeID: String
        /// Hundredths of a credit, as the API gives it.
        public var promptsUsed: Double
    }

    /// A `cascadeToolUsage` row: calls of one tool over the whole range (no day).
    public struct ToolUsage: Sendable, Equatable {
        public var tool: String
        public var count: Double
    }

    public var lines: [Lines] = []
    public var runs: [Run] = []
    public var tools: [ToolUsage] = []
    /// The API's `error` field; non-empty means the request failed even if the status was 200.
    public var error: String = ""

    public init(lines: [Lines] = [], runs: [Run] = [], tools: [ToolUsage] = []) {
        self.lines = lines
        self.runs = runs
        self.tools = tools
    }

    enum CodingKeys: String, CodingKey { case queryResults, error }

    /// One element of `queryResults`: a wrapper key holding an object with the rows under the same key.
    struct Result: Decodable {
        var lines: [Lines] = []
        var runs: [Run] = []
        var tools: [ToolUsage] = []

        enum Keys: String, CodingKey { case cascadeLines, cascadeRuns, cascadeToolUsage }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: Keys.self)
            lines = try Self.rows(container, .cascadeLines)
            runs = try Self.rows(container, .cascadeRuns)
            tools = try Self.rows(container, .cascadeToolUsage)
        }

        static func rows<Row: Decodable>(_ container: KeyedDecodingContainer<Keys>, _ key: Keys) throws -> [Row] {
            guard container.contains(key), try !container.decodeNil(forKey: key) else { return [] }
            let wrapper = try container.nestedContainer(keyedBy: Keys.self, forKey: key)
            return try wrapper.decodeIfPresent([Row].self, forKey: key) ?? []
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        // Results are read by their keys, not their position.
        for result in try container.decodeIfPresent([Result].self, forKey: .queryResults) ?? [] {
            lines += result.lines
            runs += result.runs
            tools += result.tools
        }
        error = try container.decodeString(forKey: .error)
    }
}

extension WindsurfCascadeAnalytics.Lines: Decodable {
    enum CodingKeys: String, CodingKey { case day, linesSuggested, linesAccepted }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        day = try container.decodeDay(forKey: .day)
        linesSuggested = try container.decodeFlexibleNumber(forKey: .linesSuggested) ?? 0
        linesAccepted = try container.decodeFlexibleNumber(forKey: .linesAccepted) ?? 0
    }
}

extension WindsurfCascadeAnalytics.Run: Decodable {
    enum CodingKeys: String, CodingKey { case day, model, mode, messagesSent, cascadeId, promptsUsed }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        day = try container.decodeDay(forKey: .day)
        model = try container.decodeString(forKey: .model)
        mode = try container.decodeString(forKey: .mode)
        messagesSent = try container.decodeFlexibleNumber(forKey: .messagesSent) ?? 0
        cascadeID = try container.decodeString(forKey: .cascadeId)
        promptsUsed = try container.decodeFlexibleNumber(forKey: .promptsUsed) ?? 0
    }
}

extension WindsurfCascadeAnalytics.ToolUsage: Decodable {
    enum CodingKeys: String, CodingKey { case tool, count }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        tool = try container.decodeString(forKey: .tool)
        count = try container.decodeFlexibleNumber(forKey: .count) ?? 0
    }
}

extension KeyedDecodingContainer {
    /// A row's day: an RFC 3339 date-time (`2025-05-01T00:00:00Z`) or a plain date (`2025-05-01`), as Unix
    /// seconds of its 00:00 UTC; absent or empty is nil.
    func decodeDay(forKey key: Key) throws -> Double? {
        guard let text = try decodeIfPresent(String.self, forKey: key), !text.isEmpty else { return nil }
        if let seconds = RFC3339Timestamp.parse(text) { return Double(RFC3339Timestamp.day(at: seconds)) * 86_400 }
        if let day = RFC3339Timestamp.day(ofDate: text) { return Double(day) * 86_400 }
        throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: "not a date: \"\(text.prefix(40))\"")
    }
}
