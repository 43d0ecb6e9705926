import NIOCore
import UsageExporter

/// Builds a JSON answer as UTF-8 bytes in the `ByteBuffer` the response sends as it is, for the large
/// analytics answers: numbers written as strings digit by digit, fixed texts appended as pre-encoded bytes.
struct JSONBytes {
    private(set) var buffer = ByteBuffer()

    init(capacity: Int = 1_024) {
        buffer.reserveCapacity(capacity)
    }

    mutating func append(_ text: StaticString) {
        buffer.writeStaticString(text)
    }

    mutating func append(raw: [UInt8]) {
        buffer.writeBytes(raw)
    }

    /// A JSON string literal of `text`, escaped by `JSONStringLiteral`.
    mutating func append(string text: String) {
        buffer.writeString(JSONStringLiteral.encode(text))
    }

    /// `"123"`: an integer as proto3 JSON writes int64, a string.
    mutating func append(quoted value: Int) {
        buffer.writeInteger(0x22 as UInt8)
        append(digits: value)
        buffer.writeInteger(0x22 as UInt8)
    }

    /// An integer's decimal digits.
    mutating func append(digits value: Int) {
        if value < 0 {
            buffer.writeInteger(0x2D as UInt8)
            append(digits: 0 - value)
            return
        }
        if value < 10 {
            buffer.writeInteger(0x30 + UInt8(value))
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
            self.buffer.writeBytes(UnsafeRawBufferPointer(rebasing: buffer[(20 - count)...]))
        }
    }

    /// A member name and colon: `"name":`.
    mutating func append(key: StaticString) {
        buffer.writeInteger(0x22 as UInt8)
        append(key)
        buffer.writeInteger(0x22 as UInt8)
        buffer.writeInteger(0x3A as UInt8)
    }

    mutating func append(byte: UInt8) {
        buffer.writeInteger(byte as UInt8)
    }
}
