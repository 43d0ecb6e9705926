import NIOCore

/// What one upstream answer of the past became: the families the live exporter would have built from it, and,
/// for a Google report date, whether the date was complete. This is what the backfill caches on disk: never an
/// answer as sent, which may hold users' API keys or, when pseudonymizing, plain email addresses.
public struct BackfillAnswer: Sendable {
    /// How complete a Google report date was; Windsurf answers are always `complete`.
    public enum Completeness: Sendable, Equatable {
        case complete
        /// Warnings named these applications; `families` leave their parameters out (the live fallback).
        case partial([String])
        /// No parameters at all (or none left without the warned applications).
        case empty
    }

    public var completeness: Completeness
    public var families: [FamilySamples]

    public init(completeness: Completeness, families: [FamilySamples]) {
        self.completeness = completeness
        self.families = families
    }

    static let formatLine = "usage-exporter-backfill-answer 1"

    /// The cache file's text: a format line, the completeness, then each family as a `# FAMILY` line (type,
    /// name, help escaped as in `# HELP`) followed by its sample lines as `/metrics` writes them.
    func serialized() -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeString(Self.formatLine + "\n")
        switch completeness {
        case .complete: buffer.writeString("complete\n")
        case .partial(let applications): buffer.writeString("partial " + applications.joined(separator: ",") + "\n")
        case .empty: buffer.writeString("empty\n")
        }
        for samples in families {
            guard case .fixed(let lines) = samples.body else { continue }
            buffer.writeString("# FAMILY \(samples.family.type.rawValue) \(samples.family.name) \(ExpositionText.escapeHelp(samples.family.help))\n")
            var bytes = lines.bytes
            buffer.writeBuffer(&bytes)
        }
        return buffer
    }

    /// The completeness a file's first two lines give, or nil when they are not this format's.
    static func completeness(ofHead buffer: ByteBuffer) -> Completeness? {
        let lines = buffer.readableBytesView.split(separator: UInt8(ascii: "\n"), maxSplits: 2, omittingEmptySubsequences: false)
        guard lines.count == 3, String(decoding: lines[0], as: UTF8.self) == formatLine else { return nil }
        return completeness(String(decoding: lines[1], as: UTF8.self))
    }

    private static func completeness(_ statusLine: String) -> Completeness? {
        if statusLine == "complete" { return .complete }
        if statusLine == "empty" { return .empty }
        if statusLine.hasPrefix("partial ") { return .partial(statusLine.dropFirst(8).split(separator: ",").map(String.init)) }
        return nil
    }

    /// The answer `serialized()` wrote, or nil for anything else (another format, a truncated file).
    static func parse(_ buffer: ByteBuffer) -> BackfillAnswer? {
        var lines = buffer.readableBytesView.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)[...]
        guard lines.last?.isEmpty == true else { return nil }  // a complete file ends with a newline
        lines = lines.dropLast()
        guard let format = lines.popFirst(), String(decoding: format, as: UTF8.self) == formatLine,
            let statusLine = lines.popFirst().map({ String(decoding: $0, as: UTF8.self) }),
            let completeness = completeness(statusLine)
        else { return nil }
        var families: [FamilySamples] = []
        var current: (family: MetricFamily, lines: ByteBuffer)?
        func finish() {
            if let current { families.append(FamilySamples(family: current.family, body: .fixed(FixedLines(current.lines)))) }
        }
        for line in lines {
            let text = String(decoding: line, as: UTF8.self)
            if text.hasPrefix("# FAMILY ") {
                finish()
                let parts = text.dropFirst(9).split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
                guard parts.count == 3, let type = MetricType(rawValue: String(parts[0])) else { return nil }
                current = (MetricFamily(String(parts[1]), help: unescapeHelp(parts[2]), type: type), ByteBuffer())
            } else {
                guard current != nil else { return nil }
                current!.lines.writeString(text)
                current!.lines.writeInteger(UInt8(ascii: "\n"))
            }
        }
        finish()
        return BackfillAnswer(completeness: completeness, families: families)
    }

    /// The inverse of `ExpositionText.escapeHelp`.
    static func unescapeHelp(_ text: Substring) -> String {
        var result = ""
        var escaping = false
        for character in text {
            if escaping {
                result.append(character == "n" ? "\n" : character)
                escaping = false
            } else if character == "\\" {
                escaping = true
            } else {
                result.append(character)
            }
        }
        return result
    }
}
