/// The answer of `POST /api/v1/Analytics`: per query request, its items, each mapping the caller's aliases
/// to values. Values may come as strings (as documented) or as numbers; `"0"` values may be omitted from
/// an item; an item-less element (`responseItems: [{}]`) is an answer with nothing in it.
public struct WindsurfCustomAnalytics: Sendable, Decodable, WindsurfAnswer {
    /// One item: alias → value as text.
    public struct Item: Sendable, Equatable {
        public var values: [String: String]

        public init(_ values: [String: String]) {
            self.values = values
        }

        /// The text of `alias`; empty when absent.
        public func text(_ alias: String) -> String { values[alias] ?? "" }

        /// The number of `alias`: absent or empty is 0; text that is not a finite number is nil.
        public func number(_ alias: String) -> Double? {
            guard let text = values[alias], !text.isEmpty else { return 0 }
            guard let number = Double(text.trimmingWhitespace), number.isFinite else { return nil }
            return number
        }
    }

    /// The items of each query request, in request order.
    public var results: [[Item]]
    public var error: String

    public init(results: [[Item]]) {
        self.results = results
        self.error = ""
    }

    enum CodingKeys: String, CodingKey { case queryResults, error }

    struct Result: Decodable {
        let items: [Item]
        enum Keys: String, CodingKey { case responseItems }
        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: Keys.self)
            items = try (container.decodeIfPresent([Entry].self, forKey: .responseItems) ?? []).compactMap(\.item)
        }
    }

    struct Entry: Decodable {
        let item: Item?
        enum Keys: String, CodingKey { case item }
        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: Keys.self)
            guard container.contains(.item), try !container.decodeNil(forKey: .item) else {
                item = nil
                return
            }
            let values = try container.decode([String: Scalar].self, forKey: .item)
            item = Item(values.compactMapValues(\.text))
        }
    }

    /// A JSON scalar as text: a string as is, a number or a boolean written out; anything else is dropped.
    struct Scalar: Decodable {
        let text: String?
        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let string = try? container.decode(String.self) {
                text = string
            } else if let number = try? container.decode(Double.self) {
                text = String(number)
            } else if let flag = try? container.decode(Bool.self) {
                text = String(flag)
            } else {
                text = nil
            }
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        results = try (container.decodeIfPresent([Result].self, forKey: .queryResults) ?? []).map(\.items)
        error = try container.decodeString(forKey: .error)
    }

    /// The items of query request `index`; none when the answer has fewer results.
    public func items(_ index: Int) -> [Item] { index < results.count ? results[index] : [] }
}
