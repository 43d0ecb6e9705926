/// One page of `GET /api/v2alpha/analytics/consumption` with `granularity=daily&group_by=user,model_uid`:
/// rows of one user, model and UTC day, the cursor of the next page, and the query's metadata.
///
/// Numbers may come as JSON numbers or numeric strings; a field the team's billing strategy does not fill
/// may be absent, `null` or 0 (absent and `null` are nil, so that a family is exported only for what the API
/// fills). `billed_acus` is read inside `consumption`, where the documentation lists it, or beside it.
public struct WindsurfConsumptionPage: Sendable, Decodable {
    public struct Row: Sendable, Equatable {
        /// Unix days (UTC) of the row's `timestamp` (`YYYY-MM-DD`); nil when it is not a date.
        public var day: Int?
        public var userEmail: String
        public var modelUID: String
        public var promptCredits: Double?
        public var flexCredits: Double?
        public var billedACUs: Double?
        public var messageCount: Double?

        public init(
            day: Int?,
            userEmail: String,
            modelUID: String,
            promptCredits: Double? = nil,
            flexCredits: Double? = nil,
            billedACUs: Double? = nil,
            messageCount: Double? = nil
        ) {
            self.day = day
            self.userEmail = userEmail
            self.modelUID = modelUID
            self.promptCredits = promptCredits
            self.flexCredits = flexCredits
            self.billedACUs = billedACUs
            self.messageCount = messageCount
        }
    }

    public var rows: [Row]
    /// The cursor of the next page; nil (or empty) on the last page.
    public var nextPageCursor: String?
    /// `metadata.billing_strategy`: `CREDITS`, `ACU`, or what else the API says; empty when absent.
    public var billingStrategy: String
    /// `metadata.data_freshness` in Unix seconds.
    public var dataFreshness: Double?

    public init(rows: [Row], nextPageCursor: String? = nil, billingStrategy: String = "", dataFreshness: Double? = nil) {
        self.rows = rows
        self.nextPageCursor = nextPageCursor
        self.billingStrategy = billingStrategy
        self.dataFreshness = dataFreshness
    }

    enum CodingKeys: String, CodingKey { case data, pagination, metadata }
    enum PaginationKeys: String, CodingKey { case next_page_cursor }
    enum MetadataKeys: String, CodingKey { case billing_strategy, data_freshness }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        rows = try container.decodeIfPresent([Row].self, forKey: .data) ?? []
        if container.contains(.pagination), try !container.decodeNil(forKey: .pagination) {
            let pagination = try container.nestedContainer(keyedBy: PaginationKeys.self, forKey: .pagination)
            let cursor = try pagination.decodeIfPresent(String.self, forKey: .next_page_cursor)
            nextPageCursor = cursor?.isEmpty == false ? cursor : nil
        }
        billingStrategy = ""
        if container.contains(.metadata), try !container.decodeNil(forKey: .metadata) {
            let metadata = try container.nestedContainer(keyedBy: MetadataKeys.self, forKey: .metadata)
            billingStrategy = String(try metadata.decodeString(forKey: .billing_strategy).prefix(64))
            dataFreshness = try metadata.decodeRFC3339(forKey: .data_freshness)
        }
    }
}

extension WindsurfConsumptionPage.Row: Decodable {
    enum CodingKeys: String, CodingKey { case timestamp, user_email, model_uid, consumption, billed_acus }
    enum ConsumptionKeys: String, CodingKey { case prompt_credits, flex_credits, billed_acus, message_count }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        // `YYYY-MM-DD` as documented for daily rows; a full RFC 3339 timestamp is read as its UTC day.
        day = try container.decodeIfPresent(String.self, forKey: .timestamp).flatMap { text in
            RFC3339Timestamp.day(ofDate: text) ?? RFC3339Timestamp.parse(text).map(RFC3339Timestamp.day(at:))
        }
        userEmail = try container.decodeString(forKey: .user_email)
        modelUID = try container.decodeString(forKey: .model_uid)
        billedACUs = try container.decodeBoundedNumber(forKey: .billed_acus)
        if container.contains(.consumption), try !container.decodeNil(forKey: .consumption) {
            let consumption = try container.nestedContainer(keyedBy: ConsumptionKeys.self, forKey: .consumption)
            promptCredits = try consumption.decodeBoundedNumber(forKey: .prompt_credits)
            flexCredits = try consumption.decodeBoundedNumber(forKey: .flex_credits)
            billedACUs = try consumption.decodeBoundedNumber(forKey: .billed_acus) ?? billedACUs
            messageCount = try consumption.decodeBoundedNumber(forKey: .message_count)
        }
    }
}

extension KeyedDecodingContainer {
    /// A flexible number (``decodeFlexibleNumber(forKey:)``) that must be finite and not negative: a
    /// consumption is never below zero, and a sum of such numbers never overflows to infinity or NaN's
    /// surprises in a gauge.
    func decodeBoundedNumber(forKey key: Key) throws -> Double? {
        guard let number = try decodeFlexibleNumber(forKey: key) else { return nil }
        guard number.isFinite, number >= 0, number < 1e15 else {
            throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: "out of range: \(number)")
        }
        return number
    }
}
