/// Decoding helpers for proto3 JSON, as Google-style APIs write it: int64 as a number or a string,
/// zero, false and empty values omitted, `null` meaning absent.
extension KeyedDecodingContainer {
    /// A number written as a JSON number or a numeric string; absent or null is nil.
    func decodeFlexibleNumber(forKey key: Key) throws -> Double? {
        guard contains(key), try !decodeNil(forKey: key) else { return nil }
        if let number = try? decode(Double.self, forKey: key) { return number }
        let text = try decode(String.self, forKey: key)
        guard let number = Double(text.trimmingWhitespace), number.isFinite else {
            throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: "not a number: \"\(text.prefix(40))\"")
        }
        return number
    }

    /// A boolean written as `true`/`false` or as the strings "true"/"false"; absent or null is false.
    func decodeFlexibleBool(forKey key: Key) throws -> Bool {
        guard contains(key), try !decodeNil(forKey: key) else { return false }
        if let value = try? decode(Bool.self, forKey: key) { return value }
        let text = try decode(String.self, forKey: key)
        switch text.lowercased() {
        case "true": return true
        case "false", "": return false
        default:
            throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: "not a boolean: \"\(text.prefix(40))\"")
        }
    }

    /// A string; absent or null is empty.
    func decodeString(forKey key: Key) throws -> String {
        try decodeIfPresent(String.self, forKey: key) ?? ""
    }

    /// An RFC 3339 timestamp as Unix seconds. Absent, null, empty and the proto3 zero timestamp
    /// (`1970-01-01T00:00:00Z`, meaning "never") are nil.
    func decodeTimestamp(forKey key: Key) throws -> Double? {
        try decodeRFC3339(forKey: key).flatMap { $0 > 0 ? $0 : nil }
    }

    /// An RFC 3339 timestamp as Unix seconds, the zero timestamp included; absent, null and empty are nil.
    func decodeRFC3339(forKey key: Key) throws -> Double? {
        guard let text = try decodeIfPresent(String.self, forKey: key), !text.isEmpty else { return nil }
        guard let seconds = RFC3339Timestamp.parse(text) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: "not an RFC 3339 timestamp: \"\(text.prefix(40))\"")
        }
        return seconds
    }
}
