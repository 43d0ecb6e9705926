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

    /// A JSON string literal of `text`, escaped as `JSONStringLiteral` does (quotes, backslashes, control
    /// characters), byte by byte without building a `String`.
    mutating func append(string text: String) {
        bytes.append(0x22)
        var text = text
        text.withUTF8 { utf8 in
            for byte in utf8 {
                switch byte {
                case 0x22: bytes.append(0x5C); bytes.append(0x22)
                case 0x5C: bytes.append(0x5C); bytes.append(0x5C)
                case 0x0A: bytes.append(0x5C); bytes.append(0x6E)
                case 0x0D: bytes.append(0x5C); bytes.append(0x72)
                case 0x09: bytes.append(0x5C); bytes.append(0x74)
                case ..<0x20:
                    let hex: [UInt8] = Array("0123456789abcdef".utf8)
                    bytes.append(contentsOf: [0x5C, 0x75, 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
                default: bytes.append(byte)
                }
            }
        }
        bytes.append(0x22)
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
        var scratch: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                      UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
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
