import Foundation
import Logging
import Synchronization

/// A swift-log handler writing logfmt or JSON lines to standard error, one write per line.
public struct StandardErrorLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public let format: LogFormat
    let label: String

    private static let lock = Mutex(())

    public init(label: String, format: LogFormat, level: Logger.Level) {
        self.label = label
        self.format = format
        self.logLevel = level
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields: [(String, String)] = [
            ("time", Self.timestamp()),
            ("level", Self.levelName(event.level)),
            ("msg", "\(event.message)"),
        ]
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        for key in merged.keys.sorted() {
            fields.append((key, "\(merged[key]!)"))
        }
        let line = format == .json ? Self.json(fields) : Self.logfmt(fields)
        Self.lock.withLock { _ in
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }
    }

    /// The level names Prometheus exporters use.
    static func levelName(_ level: Logger.Level) -> String {
        switch level {
        case .trace, .debug: "debug"
        case .info, .notice: "info"
        case .warning: "warn"
        case .error, .critical: "error"
        }
    }

    static func logfmt(_ fields: [(String, String)]) -> String {
        fields.map { key, value in
            let needsQuotes = value.isEmpty || value.contains { $0 == " " || $0 == "=" || $0 == "\"" || $0 == "\\" || $0.isNewline }
            guard needsQuotes else { return "\(key)=\(value)" }
            return "\(key)=\"\(escape(value))\""
        }.joined(separator: " ")
    }

    static func json(_ fields: [(String, String)]) -> String {
        "{" + fields.map { "\"\(escape($0.0))\":\"\(escape($0.1))\"" }.joined(separator: ",") + "}"
    }

    static func escape(_ text: String) -> String {
        var escaped = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": escaped += "\\\""
            case "\\": escaped += "\\\\"
            case "\n": escaped += "\\n"
            case "\r": escaped += "\\r"
            case "\t": escaped += "\\t"
            case _ where scalar.value < 0x20:
                escaped += String(format: "\\u%04x", scalar.value)
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }

    static func timestamp() -> String {
        let now = Date().timeIntervalSince1970
        let milliseconds = Int(flooring: now * 1000) % 1000
        let base = RFC3339Timestamp.format(now)
        return String(base.dropLast()) + "." + String(format: "%03d", milliseconds) + "Z"
    }
}
