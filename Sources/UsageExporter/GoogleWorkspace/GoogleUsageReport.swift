/// One page of `usage/dates/{date}` or `usage/users/all/dates/{date}`.
public struct GoogleUsageReportPage: Sendable, Decodable {
    public struct Warning: Sendable, Decodable, Equatable {
        public let code: String
        public let message: String
        /// The applications the warning names (`data: [{key: "application", value: APP}]`).
        public let applications: [String]

        /// `PARTIAL_DATA_AVAILABLE` or `DATA_NOT_AVAILABLE`: the date lacks (some applications') data.
        public var marksIncompleteData: Bool { code == "PARTIAL_DATA_AVAILABLE" || code == "DATA_NOT_AVAILABLE" }

        struct Datum: Decodable {
            let key: String?
            let value: String?
        }

        enum CodingKeys: String, CodingKey { case code, message, data }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            code = try container.decodeString(forKey: .code)
            message = try container.decodeString(forKey: .message)
            let data = (try? container.decodeIfPresent([Datum].self, forKey: .data)) ?? nil
            applications = (data ?? []).compactMap { $0.key == "application" ? $0.value : nil }.filter { !$0.isEmpty }
        }
    }

    public struct Report: Sendable, Decodable {
        public let date: String
        /// `entity.userEmail` of a per-user report; nil for the customer report.
        public let userEmail: String?
        public private(set) var parameters: [GoogleUsageParameter]

        /// The report with its parameter names taken from `names` where an equal one is there already (and
        /// added otherwise), so that a poll's reports share one copy of each name instead of one per user.
        func sharingNames(_ names: inout Set<String>) -> Report {
            var copy = self
            copy.parameters = parameters.map { parameter in
                GoogleUsageParameter(name: names.insert(parameter.name).memberAfterInsert, value: parameter.value)
            }
            return copy
        }

        /// The report with only the parameters `isIncluded` keeps.
        func keeping(_ isIncluded: (GoogleUsageParameter) -> Bool) -> Report {
            var copy = self
            copy.parameters = parameters.filter(isIncluded)
            return copy
        }

        enum CodingKeys: String, CodingKey { case date, entity, parameters }
        enum EntityKeys: String, CodingKey { case userEmail }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            date = try container.decodeString(forKey: .date)
            if container.contains(.entity), try !container.decodeNil(forKey: .entity) {
                let entity = try container.nestedContainer(keyedBy: EntityKeys.self, forKey: .entity)
                userEmail = try entity.decodeIfPresent(String.self, forKey: .userEmail)
            } else {
                userEmail = nil
            }
            parameters = try container.decodeIfPresent([GoogleUsageParameter].self, forKey: .parameters) ?? []
        }
    }

    public let warnings: [Warning]
    public let nextPageToken: String?
    public let usageReports: [Report]

    enum CodingKeys: String, CodingKey { case warnings, nextPageToken, usageReports }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        warnings = try container.decodeIfPresent([Warning].self, forKey: .warnings) ?? []
        let token = try container.decodeIfPresent(String.self, forKey: .nextPageToken)
        nextPageToken = token?.isEmpty == false ? token : nil
        usageReports = try container.decodeIfPresent([Report].self, forKey: .usageReports) ?? []
    }
}

/// One `app:param` value of a usage report.
public struct GoogleUsageParameter: Sendable, Decodable, Equatable {
    public enum Value: Sendable, Equatable {
        case int(Double)
        case bool(Bool)
        /// Unix seconds; 0 is Google's "never".
        case datetime(Double)
        case string(String)
        /// Objects with their string fields and numeric fields apart.
        case messages([GoogleUsageMessage])
        /// A value of a type the exporter does not know; skipped.
        case unsupported
    }

    public let name: String
    public let value: Value

    public init(name: String, value: Value) {
        self.name = name
        self.value = value
    }

    enum CodingKeys: String, CodingKey { case name, intValue, boolValue, datetimeValue, stringValue, msgValue }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decodeString(forKey: .name)
        if let number = try container.decodeFlexibleNumber(forKey: .intValue) {
            value = .int(number)
        } else if container.contains(.boolValue), try !container.decodeNil(forKey: .boolValue) {
            value = .bool(try container.decodeFlexibleBool(forKey: .boolValue))
        } else if let seconds = try container.decodeRFC3339(forKey: .datetimeValue) {
            // Google's "never" (1970-01-01T00:00:00.000Z, a user who never logged in) is kept as 0, not dropped,
            // so that `time() - x > threshold` catches it.
            value = .datetime(max(seconds, 0))
        } else if let text = try container.decodeIfPresent(String.self, forKey: .stringValue) {
            value = .string(text)
        } else if let messages = try container.decodeIfPresent([GoogleUsageMessage].self, forKey: .msgValue) {
            value = .messages(messages)
        } else {
            value = .unsupported
        }
    }
}

/// One object of a `msgValue`: its string fields become labels, its numeric fields values.
public struct GoogleUsageMessage: Sendable, Decodable, Equatable {
    public let labels: [(String, String)]
    public let numbers: [(String, Double)]

    public init(labels: [(String, String)], numbers: [(String, Double)]) {
        self.labels = labels.sorted { $0.0 < $1.0 }
        self.numbers = numbers.sorted { $0.0 < $1.0 }
    }

    public static func == (lhs: GoogleUsageMessage, rhs: GoogleUsageMessage) -> Bool {
        lhs.labels.elementsEqual(rhs.labels, by: ==) && lhs.numbers.elementsEqual(rhs.numbers, by: ==)
    }

    struct AnyKey: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        var labels: [(String, String)] = []
        var numbers: [(String, Double)] = []
        for key in container.allKeys {
            if let number = try? container.decode(Double.self, forKey: key) {
                numbers.append((key.stringValue, number))
            } else if let flag = try? container.decode(Bool.self, forKey: key) {
                numbers.append((key.stringValue, flag ? 1 : 0))
            } else if let text = try? container.decode(String.self, forKey: key) {
                labels.append((key.stringValue, text))
            }
            // Nested objects, lists and nulls carry nothing a label or a value can hold: skipped.
        }
        self.init(labels: labels, numbers: numbers)
    }
}
