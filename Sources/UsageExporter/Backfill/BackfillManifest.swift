import Foundation
import NIOCore

/// `manifest.json` of an output directory: what the run covered and wrote, written last (so a directory with a
/// manifest holds a finished run) and byte for byte the same when a run is repeated with the same answers.
public struct BackfillManifest: Codable, Sendable, Equatable {
    public struct Source: Codable, Sendable, Equatable {
        public var collector: String
        public var source: String
        /// How the answers were chosen (`lag` for Google, `windows` for the analytics).
        public var facts: [String: String]
        /// The first and last day asked for (`yyyy-mm-dd`), and how many answered complete.
        public var firstDate: String?
        public var lastDate: String?
        public var answered: Int
        /// Days that answered without (some applications') data: the live exporter skips them, or uses them
        /// without those applications when nothing newer is complete.
        public var incomplete: [String]
        /// Days asked for that had no answer (not yet available, or a date Google does not have).
        public var unanswered: [String]
    }

    public struct Window: Codable, Sendable, Equatable {
        /// The OpenMetrics file's name; nil for a dry run.
        public var file: String?
        /// RFC 3339; `end` exclusive.
        public var start: String
        public var end: String
        public var series: Int
        public var samples: Int
        public var bytes: Int
    }

    public var format = "usage-exporter-backfill 1"
    public var exporterVersion = ExporterVersion.version
    public var start: String
    public var end: String
    public var stepSeconds: Int
    public var blockDuration: String
    public var labels: [String: String]
    public var sources: [Source]
    public var windows: [Window]
    /// Distinct series over all windows.
    public var series: Int
    public var samples: Int
    public var bytes: Int

    func encoded() throws -> ByteBuffer {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        var buffer = ByteBuffer(data: try encoder.encode(self))
        buffer.writeString("\n")
        return buffer
    }
}
