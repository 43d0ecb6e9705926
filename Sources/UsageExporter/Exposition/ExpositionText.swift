import NIOCore

/// The text rules of the Prometheus exposition format: escaping and number formatting.
public enum ExpositionText {
    /// Escapes a label value: backslash, double quote and line feed.
    public static func escapeLabelValue(_ value: String) -> String {
        guard value.utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\n") }) else {
            return value
        }
        var escaped = ""
        escaped.reserveCapacity(value.utf8.count + 8)
        for character in value.unicodeScalars {
            switch character {
            case "\\": escaped += "\\\\"
            case "\"": escaped += "\\\""
            case "\n": escaped += "\\n"
            default: escaped.unicodeScalars.append(character)
            }
        }
        return escaped
    }

    /// Escapes HELP text: backslash and line feed.
    public static func escapeHelp(_ help: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(help.utf8.count)
        for character in help.unicodeScalars {
            switch character {
            case "\\": escaped += "\\\\"
            case "\n": escaped += "\\n"
            default: escaped.unicodeScalars.append(character)
            }
        }
        return escaped
    }

    /// Formats a sample value: integers without a fraction, `+Inf`, `-Inf` and `NaN` spelled as Prometheus reads them.
    public static func formatValue(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value == .infinity { return "+Inf" }
        if value == -.infinity { return "-Inf" }
        if value == value.rounded(.towardZero), abs(value) < 1.0e18 {
            return String(Int64(value))
        }
        return value.description
    }

    /// Reads a sample value as ``formatValue(_:)`` and ``writeValue(_:into:)`` write it (Swift's shortest
    /// round-trip form, so that the value read is the value written); nil for anything else.
    public static func parseValue(_ bytes: UnsafeRawBufferPointer) -> Double? {
        let text = String(decoding: bytes, as: UTF8.self)
        switch text {
        case "+Inf": return .infinity
        case "-Inf": return -.infinity
        case "NaN": return .nan
        default: return text.isEmpty || text.contains(where: { $0.isLetter && $0 != "e" }) ? nil : Double(text)
        }
    }

    /// Writes a sample value into `buffer` without building an intermediate `String` for integers.
    @inlinable
    public static func writeValue(_ value: Double, into buffer: inout ByteBuffer) {
        if value == value.rounded(.towardZero), abs(value) < 1.0e18 {
            writeInteger(Int64(value), into: &buffer)
        } else {
            buffer.writeString(formatValue(value))
        }
    }

    /// Writes a value rounded to milliseconds, with at most three decimals and no trailing zeros
    /// (`90000`, `499.75`, `0.001`): how ages are written, cheaply and compactly, at every scrape.
    @inlinable
    public static func writeMilliseconds(_ value: Double, into buffer: inout ByteBuffer) {
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: maximumMillisecondsLength) { bytes in
            formatMilliseconds(value, into: bytes.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
    }

    /// The most bytes ``formatMilliseconds(_:into:)`` writes (`-1.7976931348623157e+308` has 24).
    public static let maximumMillisecondsLength = 32

    /// Writes `value` as ``writeMilliseconds(_:into:)`` does into `output`, which has room for
    /// ``maximumMillisecondsLength`` bytes; returns how many it wrote.
    @inlinable
    public static func formatMilliseconds(_ value: Double, into output: UnsafeMutablePointer<UInt8>) -> Int {
        guard value.isFinite, abs(value) < 9.0e12 else {
            var text = ByteBuffer()
            writeValue(value, into: &text)
            let count = min(text.readableBytes, maximumMillisecondsLength)
            text.withUnsafeReadableBytes { bytes in
                output.update(from: bytes.baseAddress!.assumingMemoryBound(to: UInt8.self), count: count)
            }
            return count
        }
        let milliseconds = Int64((value * 1000).rounded())
        var count = 0
        if milliseconds < 0 {
            output[0] = UInt8(ascii: "-")
            count = 1
        }
        let magnitude = milliseconds.magnitude
        // The integer part, digits written backwards and then turned around.
        var whole = magnitude / 1000
        let digitsStart = count
        repeat {
            output[count] = UInt8(ascii: "0") + UInt8(whole % 10)
            count += 1
            whole /= 10
        } while whole > 0
        var low = digitsStart
        var high = count - 1
        while low < high {
            (output[low], output[high]) = (output[high], output[low])
            low += 1
            high -= 1
        }
        var fraction = magnitude % 1000
        guard fraction != 0 else { return count }
        output[count] = UInt8(ascii: ".")
        count += 1
        var divisor: UInt64 = 100
        while fraction > 0 {
            output[count] = UInt8(ascii: "0") + UInt8(fraction / divisor)
            count += 1
            fraction %= divisor
            divisor /= 10
        }
        return count
    }

    /// Writes a decimal integer.
    @inlinable
    public static func writeInteger(_ value: Int64, into buffer: inout ByteBuffer) {
        if value == 0 {
            buffer.writeInteger(UInt8(ascii: "0"))
            return
        }
        var magnitude = value.magnitude
        var scratch: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes, enough for 20 digits and a sign
        withUnsafeMutableBytes(of: &scratch) { digits in
            var index = digits.count
            while magnitude > 0 {
                index -= 1
                digits[index] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            }
            if value < 0 {
                index -= 1
                digits[index] = UInt8(ascii: "-")
            }
            buffer.writeBytes(UnsafeRawBufferPointer(rebasing: digits[index...]))
        }
    }

    /// Writes the `# HELP` and `# TYPE` lines of a family. OpenMetrics names a counter family without
    /// its `_total` suffix; its samples keep it.
    public static func writeHeader(of family: MetricFamily, format: ExpositionFormat = .text, into buffer: inout ByteBuffer) {
        var name = family.name
        if format == .openMetrics, family.type == .counter, name.hasSuffix("_total") { name.removeLast(6) }
        buffer.writeString("# HELP ")
        buffer.writeString(name)
        buffer.writeString(" ")
        buffer.writeString(escapeHelp(family.help))
        buffer.writeString("\n# TYPE ")
        buffer.writeString(name)
        buffer.writeString(" ")
        buffer.writeString(family.type.rawValue)
        buffer.writeString("\n")
    }
}
