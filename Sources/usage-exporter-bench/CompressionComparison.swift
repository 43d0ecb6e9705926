import CLibdeflate
import CZlib
import Foundation
import NIOCore
import UsageExporter

/// The compressors a scrape and a poll could use, side by side on the demo's own text, one thread each:
/// what decided which one does what (README, "Performance").
///
/// - Per scrape, the age lines (the bulk of what changes with the clock): zlib level 1 and libdeflate
///   level 1 on the rendered text (rendering included), against the ages' own encoder
///   (``AgeSeries/gzipPiece(now:)``, rendering its own text for the CRC-32).
/// - The CRC-32 of that text: zlib's `crc32` against libdeflate's.
/// - Per poll, the fixed lines: zlib level 6 sync-flushed pieces (what is used: pieces must be spliced into
///   one stream) against libdeflate level 6 (whole buffers into complete streams only).
struct CompressionComparison {
    let users: Int
    let ageLines: Int
    let ageTextBytes: Int
    let render: Duration
    let zlib: (time: Duration, bytes: Int)
    let libdeflate: (time: Duration, bytes: Int)
    let ownEncoder: (time: Duration, bytes: Int)
    let crcZlib: Duration
    let crcLibdeflate: Duration
    let fixedBytes: Int
    let fixedZlib: (time: Duration, bytes: Int)
    let fixedLibdeflate: (time: Duration, bytes: Int)

    static let header = """
        users    age lines  age text MB  render ms  zlib 1 ms / MB   libdeflate 1 ms / MB  own encoder ms / MB  crc32 zlib / libdeflate ms  fixed MB  zlib 6 pieces ms / MB  libdeflate 6 ms / MB
        -------  ---------  -----------  ---------  ---------------  --------------------  -------------------  --------------------------  --------  ---------------------  --------------------
        """

    var row: String {
        func ms(_ duration: Duration) -> String { String(format: "%.1f", duration.seconds * 1000) }
        func mb(_ bytes: Int) -> String { String(format: "%.2f", Double(bytes) / 1_048_576) }
        let columns = [
            String(users), String(ageLines), mb(ageTextBytes), ms(render), "\(ms(zlib.time)) / \(mb(zlib.bytes))",
            "\(ms(libdeflate.time)) / \(mb(libdeflate.bytes))", "\(ms(ownEncoder.time)) / \(mb(ownEncoder.bytes))",
            "\(ms(crcZlib)) / \(ms(crcLibdeflate))", mb(fixedBytes), "\(ms(fixedZlib.time)) / \(mb(fixedZlib.bytes))",
            "\(ms(fixedLibdeflate.time)) / \(mb(fixedLibdeflate.bytes))",
        ]
        let widths = [7, 9, 11, 9, 15, 20, 19, 26, 8, 21, 20]
        return zip(columns, widths).map { $0.padding(toLength: max($1, $0.count), withPad: " ", startingAt: 0) }.joined(separator: "  ")
    }

    /// Measures on `families`, the demo's families at `users` users, for a scrape at `now`.
    static func measure(users: Int, families: [FamilySamples], now: Double, repetitions: Int) throws -> CompressionComparison {
        let ages = families.compactMap { samples -> AgeSeries? in
            if case .ageSince(let series) = samples.body { return series }
            return nil
        }
        let fixed = families.compactMap { samples -> ByteBuffer? in
            if case .fixed(let lines) = samples.body { return lines.bytes }
            return nil
        }
        let texts = ages.map { $0.text(now: now) }
        let level1 = libdeflate_alloc_compressor(1)!
        let level6 = libdeflate_alloc_compressor(6)!
        defer {
            libdeflate_free_compressor(level1)
            libdeflate_free_compressor(level6)
        }
        func libdeflateBytes(_ compressor: OpaquePointer, _ text: ByteBuffer) -> Int {
            text.withUnsafeReadableBytes { input in
                let bound = libdeflate_gzip_compress_bound(compressor, input.count)
                let output = UnsafeMutableRawPointer.allocate(byteCount: bound, alignment: 16)
                defer { output.deallocate() }
                return libdeflate_gzip_compress(compressor, input.baseAddress, input.count, output, bound)
            }
        }
        var bytes = (zlib: 0, libdeflate: 0, own: 0, fixedZlib: 0, fixedLibdeflate: 0)
        let render = Benchmark.median(repetitions) { for series in ages { _ = series.text(now: now) } }
        let zlib = try Benchmark.median(repetitions) {
            bytes.zlib = try ages.reduce(0) { $0 + (try GzipStream.piece($1.text(now: now), level: 1)).deflated.readableBytes }
        }
        let libdeflate = Benchmark.median(repetitions) {
            bytes.libdeflate = ages.reduce(0) { $0 + libdeflateBytes(level1, $1.text(now: now)) }
        }
        let own = Benchmark.median(repetitions) {
            bytes.own = ages.reduce(0) { $0 + $1.gzipPiece(now: now).deflated.readableBytes }
        }
        var checksum: UInt = 0
        let crcZlib = Benchmark.median(repetitions) {
            for text in texts {
                checksum &+= text.withUnsafeReadableBytes {
                    UInt(crc32(0, $0.baseAddress?.assumingMemoryBound(to: Bytef.self), uInt($0.count)))
                }
            }
        }
        let crcLibdeflate = Benchmark.median(repetitions) {
            for text in texts { checksum &+= text.withUnsafeReadableBytes { UInt(libdeflate_crc32(0, $0.baseAddress, $0.count)) } }
        }
        let fixedZlib = try Benchmark.median(max(1, repetitions / 2)) {
            bytes.fixedZlib = try fixed.reduce(0) { $0 + (try GzipStream.piece($1, level: GzipStream.fixedLevel)).deflated.readableBytes }
        }
        let fixedLibdeflate = Benchmark.median(max(1, repetitions / 2)) {
            bytes.fixedLibdeflate = fixed.reduce(0) { $0 + libdeflateBytes(level6, $1) }
        }
        return CompressionComparison(
            users: users,
            ageLines: ages.reduce(0) { $0 + $1.count },
            ageTextBytes: texts.reduce(0) { $0 + $1.readableBytes } + Int(checksum & 0),
            render: render,
            zlib: (zlib, bytes.zlib),
            libdeflate: (libdeflate, bytes.libdeflate),
            ownEncoder: (own, bytes.own),
            crcZlib: crcZlib,
            crcLibdeflate: crcLibdeflate,
            fixedBytes: fixed.reduce(0) { $0 + $1.readableBytes },
            fixedZlib: (fixedZlib, bytes.fixedZlib),
            fixedLibdeflate: (fixedLibdeflate, bytes.fixedLibdeflate)
        )
    }
}
