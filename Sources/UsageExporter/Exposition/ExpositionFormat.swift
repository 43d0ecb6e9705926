import Foundation

/// The two text formats `/metrics` speaks, chosen from the request's `Accept` header.
public enum ExpositionFormat: Sendable, Equatable {
    /// Prometheus text format 0.0.4, the default.
    case text
    /// OpenMetrics 1.0.0: counters' family names without `_total`, and a `# EOF` terminator.
    case openMetrics

    public var contentType: String {
        switch self {
        case .text: "text/plain; version=0.0.4; charset=utf-8"
        case .openMetrics: "application/openmetrics-text; version=1.0.0; charset=utf-8"
        }
    }

    /// OpenMetrics when `Accept` prefers `application/openmetrics-text` (by q-value, then by order)
    /// over the text format; the text format otherwise.
    public static func negotiate(accept: String?) -> ExpositionFormat {
        guard let accept else { return .text }
        var openMetrics: (quality: Double, position: Int)?
        var text: (quality: Double, position: Int)?
        for (position, range) in MediaRange.parse(accept).enumerated() {
            switch range.type {
            case "application/openmetrics-text":
                if ["1.0.0", "0.0.1", nil].contains(range.parameters["version"]), range.quality > (openMetrics?.quality ?? 0) {
                    openMetrics = (range.quality, position)
                }
            case "text/plain", "text/*", "*/*":
                if range.quality > (text?.quality ?? 0) { text = (range.quality, position) }
            default:
                continue
            }
        }
        guard let openMetrics, openMetrics.quality > 0 else { return .text }
        guard let text else { return .openMetrics }
        if openMetrics.quality != text.quality { return openMetrics.quality > text.quality ? .openMetrics : .text }
        return openMetrics.position < text.position ? .openMetrics : .text
    }

    /// Whether `Accept-Encoding` allows gzip (`gzip` or `*` with a q-value above 0).
    public static func acceptsGzip(_ acceptEncoding: String?) -> Bool {
        guard let acceptEncoding else { return false }
        var gzip: Double?
        var wildcard: Double?
        for range in MediaRange.parse(acceptEncoding) {
            switch range.type {
            case "gzip", "x-gzip": gzip = range.quality
            case "*": wildcard = range.quality
            default: continue
            }
        }
        return (gzip ?? wildcard ?? 0) > 0
    }
}

/// One element of an `Accept` or `Accept-Encoding` list: a lower-cased type, its parameters and q-value.
struct MediaRange {
    let type: String
    let parameters: [String: String]
    let quality: Double

    static func parse(_ header: String) -> [MediaRange] {
        header.split(separator: ",").compactMap { element in
            let parts = element.split(separator: ";").map { $0.trimmingWhitespace }
            guard let type = parts.first, !type.isEmpty else { return nil }
            var parameters: [String: String] = [:]
            var quality = 1.0
            for parameter in parts.dropFirst() {
                let pair = parameter.split(separator: "=", maxSplits: 1).map { String($0.trimmingWhitespace) }
                guard pair.count == 2 else { continue }
                let name = pair[0].lowercased()
                let value = pair[1].trimmingCharacters(in: ["\""])
                if name == "q" {
                    quality = min(max(Double(value) ?? 0, 0), 1)
                } else {
                    parameters[name] = value
                }
            }
            return MediaRange(type: type.lowercased(), parameters: parameters, quality: quality)
        }
    }
}

extension Substring {
    var trimmingWhitespace: Substring {
        var text = self
        while let first = text.first, first.isWhitespace { text.removeFirst() }
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return text
    }
}
