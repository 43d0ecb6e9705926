import UsageExporter

/// Builds a JSON answer as UTF-8 bytes, for the large analytics answers: numbers written as strings digit by
/// digit, fixed texts appended as pre-encoded bytes.
struct JSONBytes {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 1_024) {
        bytes.reserveCapacity(capacity)
    }

    mutating func append(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    mutating func append(raw: [UInt8]) {
        bytes.append(contentsOf: raw)
    }

    /// A JSON string literal of `text`, escaped by `JSONStringLiteral`.
    mutating func append(string text: String) {
        bytes.append(contentsOf: JSONStringLiteral.encode(text).utf8)
    }

    /// `"123"`: an integer as proto3 JSON writes int64, a string.
    mutating func append(quoted value: Int) {
        bytes.append(0x22)
        append(digits: value)
        bytes.append(0x22)
    }

    /// An integer's decimal digits.
    mutating func append(digits value: Int) {
        if value < 0 {
            bytes.append(0x2D)
            append(digits: 0 - value)
            return
        }
        if value < 10 {
            bytes.append(0x30 + UInt8(value))
            return
        }
        var scratch:
            (
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8
            ) =
                (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        var rest = value
        withUnsafeMutableBytes(of: &scratch) { buffer in
            while rest > 0 {
                buffer[19 - count] = 0x30 + UInt8(rest % 10)
                rest /= 10
                count += 1
            }
            bytes.append(contentsOf: buffer[(20 - count)...])
        }
    }

    /// A member name and colon: `"name":`.
    mutating func append(key: StaticString) {
        bytes.append(0x22)
        append(key)
        bytes.append(0x22)
        bytes.append(0x3A)
    }

    mutating func append(byte: UInt8) {
        bytes.append(byte)
    }
}
