import CLibdeflate
import NIOCore
import Synchronization

/// Series whose value is `now - timestamp`, in seconds rounded to milliseconds: the series text is
/// rendered once, the number at each scrape.
///
/// The series of a timestamp family (``init(name:ageOf:)``) share its label text instead of a copy: at
/// 100,000 users that is 24 MB less to hold.
///
/// These lines are most of what a scrape renders, so a gzip scrape compresses them itself rather than
/// through a general compressor: each line is `prefix value\n` (the prefix is `name{labels} `), and a
/// prefix mostly repeats the previous line's (the same team and group; often the same email with another
/// `kind`). When a series is added, the bytes its prefix shares with the previous one at the start and at
/// the end are counted; a scrape then writes those as two deflate matches pointing into the previous line
/// (their distance only depends on the previous value's length), and the rest of the prefix and the value
/// as literals, all with deflate's fixed Huffman codes (``FixedHuffmanDeflate``). There is no match
/// search and no table to build: the cost is close to rendering the text (see the benchmark's compression
/// table).
public struct AgeSeries: Sendable {
    struct Entry {
        /// Where the series' label block (braces included; empty without labels) is in `labels`.
        let labelsStart: UInt32
        let labelsEnd: UInt32
        let timestamp: Double
        /// How many bytes at the start and at the end of the prefix equal the previous series' (capped).
        let sharedStart: UInt16
        let sharedEnd: UInt16

        var labelCount: Int { Int(labelsEnd - labelsStart) }
    }

    /// The family name, in UTF-8.
    private let name: [UInt8]
    /// The text the label blocks are in: a buffer of their own, or a timestamp family's lines.
    private var labels = ByteBuffer()
    private var entries: [Entry] = []

    public init(name: String) {
        self.name = Array(name.utf8)
    }

    /// The ages of the series of a timestamp family: `name{labels} now - t` for each of its lines
    /// `family{labels} t`, sharing the lines' label text. A line whose value is not a number is skipped.
    public init(name: String, ageOf timestamps: FixedLines) {
        self.init(name: name)
        labels = timestamps.bytes
        var found: [(start: Int, end: Int, timestamp: Double)] = []
        labels.withUnsafeReadableBytes { bytes in
            var lineStart = 0
            while lineStart < bytes.count {
                var lineEnd = lineStart
                while lineEnd < bytes.count, bytes[lineEnd] != UInt8(ascii: "\n") { lineEnd += 1 }
                // `family{labels} value`: the name ends at the first brace or space, the value after the last
                // space (label values escape line feeds and quotes, but may hold spaces and braces).
                var labelsStart = lineStart
                while labelsStart < lineEnd, bytes[labelsStart] != UInt8(ascii: "{"), bytes[labelsStart] != UInt8(ascii: " ") { labelsStart += 1 }
                var valueStart = lineEnd
                while valueStart > labelsStart, bytes[valueStart - 1] != UInt8(ascii: " ") { valueStart -= 1 }
                if valueStart > labelsStart,
                    let timestamp = ExpositionText.parseValue(UnsafeRawBufferPointer(rebasing: bytes[valueStart..<lineEnd]))
                {
                    found.append((labelsStart, valueStart - 1, timestamp))
                }
                lineStart = lineEnd + 1
            }
        }
        entries.reserveCapacity(found.count)
        for line in found { append(labelsStart: line.start, labelsEnd: line.end, timestamp: line.timestamp) }
    }

    public var count: Int { entries.count }

    /// Adds `name{labels} now - timestamp`.
    public mutating func add(labels labelSet: LabelSet, timestamp: Double) {
        let start = labels.writerIndex
        labels.writeString(labelSet.rendered)
        append(labelsStart: start, labelsEnd: labels.writerIndex, timestamp: timestamp)
    }

    private mutating func append(labelsStart: Int, labelsEnd: Int, timestamp: Double) {
        var sharedStart = 0
        var sharedEnd = 0
        if let previous = entries.last {
            // Over the whole prefix `name{labels} `: the name is the same, then the label blocks (and the
            // space after them) are compared from the start, and what is left of them from the end.
            labels.withUnsafeReadableBytes { bytes in
                let old = UnsafeRawBufferPointer(rebasing: bytes[Int(previous.labelsStart)..<Int(previous.labelsEnd)])
                let new = UnsafeRawBufferPointer(rebasing: bytes[labelsStart..<labelsEnd])
                let limit = min(old.count, new.count)
                var start = 0
                while start < limit, old[start] == new[start] { start += 1 }
                if start == old.count, start == new.count {
                    sharedStart = name.count + start + 1
                    return
                }
                var end = 0
                while end < limit - start, old[old.count - 1 - end] == new[new.count - 1 - end] { end += 1 }
                sharedStart = name.count + start
                sharedEnd = end + 1
            }
        }
        entries.append(
            Entry(
                labelsStart: UInt32(labelsStart),
                labelsEnd: UInt32(labelsEnd),
                timestamp: timestamp,
                sharedStart: UInt16(clamping: sharedStart),
                sharedEnd: UInt16(clamping: sharedEnd)
            )
        )
    }

    /// The length of entry `index`'s prefix `name{labels} `.
    private func prefixLength(_ index: Int) -> Int {
        name.count + entries[index].labelCount + 1
    }

    /// The most bytes the lines of `range` take.
    private func textBound(_ range: Range<Int>) -> Int {
        range.reduce(0) { $0 + prefixLength($1) } + range.count * (ExpositionText.maximumMillisecondsLength + 1)
    }

    func write(into buffer: inout ByteBuffer, now: Double) {
        write(entries.indices, into: &buffer, now: now)
    }

    /// Writes the series in `range` (indices of `entries`).
    func write(_ range: Range<Int>, into buffer: inout ByteBuffer, now: Double) {
        guard !range.isEmpty else { return }
        name.withUnsafeBufferPointer { name in
            labels.withUnsafeReadableBytes { bytes in
                buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: textBound(range)) { destination in
                    let output = destination.baseAddress!.assumingMemoryBound(to: UInt8.self)
                    var count = 0
                    for index in range {
                        let entry = entries[index]
                        (output + count).update(from: name.baseAddress!, count: name.count)
                        count += name.count
                        (output + count).update(
                            from: bytes.baseAddress!.assumingMemoryBound(to: UInt8.self) + Int(entry.labelsStart),
                            count: entry.labelCount
                        )
                        count += entry.labelCount
                        output[count] = UInt8(ascii: " ")
                        count += 1
                        count += ExpositionText.formatMilliseconds(now - entry.timestamp, into: output + count)
                        output[count] = UInt8(ascii: "\n")
                        count += 1
                    }
                    return count
                }
            }
        }
    }

    /// Every series, rendered for `now`.
    public func text(now: Double) -> ByteBuffer {
        render(entries.indices, now: now)
    }

    /// Every series for a scrape at `now`, as one piece for ``GzipStream`` (see ``deflatePiece(_:now:)``).
    public func gzipPiece(now: Double) -> GzipStream.Piece {
        deflatePiece(entries.indices, now: now)
    }

    /// The series in `range`, rendered for `now` into a buffer of their own.
    func render(_ range: Range<Int>, now: Double) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(textBound(range))
        write(range, into: &buffer, now: now)
        return buffer
    }

    /// The ranges of series a scrape renders (and compresses) in parallel: 4,096 series or more each (each
    /// range is a hop to NIO's blocking thread pool and back), at most 16, so that every core of the pool
    /// gets a share of a large family.
    var chunks: [Range<Int>] {
        let count = min(16, max(1, entries.count / 4096))
        let size = (entries.count + count - 1) / count
        return (0..<count).map { index in min(entries.count, index * size)..<min(entries.count, (index + 1) * size) }
    }

    var estimatedByteCount: Int { entries.count * (name.count + 64) }

    /// The lines of `range` for a scrape at `now`, as a piece for ``GzipStream``: one deflate block with
    /// fixed codes ending with a sync flush. The first line of the series is written as literals; every
    /// other line may point into the line before it, which is in the same gzip stream even when it belongs
    /// to the previous range, since the pieces of a body are spliced in order.
    func deflatePiece(_ range: Range<Int>, now: Double) -> GzipStream.Piece {
        guard !range.isEmpty else { return GzipStream.Piece(deflated: ByteBuffer(), crc: 0, inputLength: 0) }
        var checksum = LineChecksum()
        let deflated = ScratchBuffers.shared.withScratch(byteCount: FixedHuffmanDeflate.outputBound(inputBytes: textBound(range))) { scratch in
            let written = FixedHuffmanDeflate.literals.withUnsafeBufferPointer { literals in
                FixedHuffmanDeflate.lengths.withUnsafeBufferPointer { lengths in
                    FixedHuffmanDeflate.distances.withUnsafeBufferPointer { distances in
                        name.withUnsafeBufferPointer { name in
                            labels.withUnsafeReadableBytes { bytes in
                                encode(
                                    range,
                                    now: now,
                                    text: (UnsafeRawBufferPointer(name), bytes),
                                    into: scratch,
                                    checksum: &checksum,
                                    tables: (literals, lengths, distances)
                                )
                            }
                        }
                    }
                }
            }
            // Copied out at its size: the scratch's bound is several times the output.
            return ByteBuffer(bytes: UnsafeRawBufferPointer(rebasing: scratch[..<written]))
        }
        let (crc, inputLength) = checksum.finish()
        return GzipStream.Piece(deflated: deflated, crc: crc, inputLength: inputLength)
    }

    /// The deflate block of ``deflatePiece(_:now:)`` into `output`; returns its length.
    private func encode(
        _ range: Range<Int>,
        now: Double,
        text: (name: UnsafeRawBufferPointer, labels: UnsafeRawBufferPointer),
        into output: UnsafeMutableRawBufferPointer,
        checksum: inout LineChecksum,
        tables: (
            literals: UnsafeBufferPointer<FixedHuffmanDeflate.Code>, lengths: UnsafeBufferPointer<FixedHuffmanDeflate.Code>,
            distances: UnsafeBufferPointer<FixedHuffmanDeflate.Code>
        )
    ) -> Int {
        let (literals, lengths, distances) = tables
        var writer = DeflateBitWriter(output.baseAddress!)
        writer.beginFixedBlock()
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: ExpositionText.maximumMillisecondsLength + 2) { value in
            // The space before the value, the value and the line feed, in one run.
            let value = value.baseAddress!
            value[0] = UInt8(ascii: " ")
            var previousValueLength =
                range.lowerBound == 0 ? 0 : ExpositionText.formatMilliseconds(now - entries[range.lowerBound - 1].timestamp, into: value + 1)
            for index in range {
                let entry = entries[index]
                let labels = UnsafeRawBufferPointer(rebasing: text.labels[Int(entry.labelsStart)..<Int(entry.labelsEnd)])
                let prefixCount = text.name.count + labels.count + 1
                let valueLength = ExpositionText.formatMilliseconds(now - entry.timestamp, into: value + 1)
                value[valueLength + 1] = UInt8(ascii: "\n")
                var literalStart = 0
                var literalEnd = prefixCount
                var suffixDistance = 0
                if index > 0 {
                    // Back to the same place in the previous line: for its prefix's start, one whole previous
                    // line; for its prefix's end, this prefix and the previous value and newline.
                    let previousLine = prefixLength(index - 1) + previousValueLength + 1
                    let sharedStart = Int(entry.sharedStart)
                    if sharedStart >= FixedHuffmanDeflate.minimumMatch, previousLine <= FixedHuffmanDeflate.maximumDistance {
                        writer.writeMatch(sharedStart, distance: previousLine, lengths: lengths, distances: distances)
                        literalStart = sharedStart
                    }
                    let sharedEnd = Int(entry.sharedEnd)
                    suffixDistance = prefixCount + previousValueLength + 1
                    if sharedEnd >= FixedHuffmanDeflate.minimumMatch, suffixDistance <= FixedHuffmanDeflate.maximumDistance {
                        literalEnd = prefixCount - sharedEnd
                    }
                }
                // The literals of the prefix: what of the name, the labels and the space is in [start, end).
                var position = literalStart
                while position < min(literalEnd, text.name.count) {
                    writer.write(literals[Int(text.name[position])])
                    position += 1
                }
                while position < min(literalEnd, text.name.count + labels.count) {
                    writer.write(literals[Int(labels[position - text.name.count])])
                    position += 1
                }
                if literalEnd < prefixCount {
                    writer.writeMatch(prefixCount - literalEnd, distance: suffixDistance, lengths: lengths, distances: distances)
                } else if position < prefixCount {
                    writer.write(literals[Int(UInt8(ascii: " "))])
                }
                for position in 1...(valueLength + 1) { writer.write(literals[Int(value[position])]) }
                checksum.add(text.name)
                checksum.add(labels)
                checksum.add(UnsafeRawBufferPointer(start: value, count: valueLength + 2))
                previousValueLength = valueLength
            }
        }
        writer.endBlockAndSyncFlush()
        return writer.byteCount
    }
}

/// The CRC-32 of many short byte runs, gathered into a buffer and checksummed with libdeflate (several
/// times faster than zlib's `crc32`, and many times on short inputs).
private struct LineChecksum: ~Copyable {
    private static let capacity = 16 * 1024
    private let buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
    private var filled = 0
    private var crc: UInt32 = 0
    private var length = 0

    mutating func add(_ bytes: UnsafeRawBufferPointer) {
        length += bytes.count
        if filled + bytes.count > Self.capacity { flush() }
        if bytes.count > Self.capacity {
            crc = libdeflate_crc32(crc, bytes.baseAddress, bytes.count)
            return
        }
        if let base = bytes.baseAddress { (buffer + filled).copyMemory(from: base, byteCount: bytes.count) }
        filled += bytes.count
    }

    private mutating func flush() {
        crc = libdeflate_crc32(crc, buffer, filled)
        filled = 0
    }

    /// The checksum and length of everything added.
    mutating func finish() -> (crc: UInt32, length: Int) {
        flush()
        return (crc, length)
    }

    deinit {
        buffer.deallocate()
    }
}

/// Scratch memory for output whose size is only bounded in advance, reused across scrapes: allocating it
/// fresh would map and fault in new pages (glibc maps blocks over 128 KiB) each time. At most a few buffers
/// of up to 4 MiB are kept; larger requests get memory of their own.
final class ScratchBuffers: Sendable {
    static let shared = ScratchBuffers()

    private struct Buffer: @unchecked Sendable {
        let memory: UnsafeMutableRawBufferPointer
    }

    private let idle = Mutex<[Buffer]>([])
    private let maximumIdle = 4
    private let maximumPooledBytes = 4 << 20

    func withScratch<Result>(byteCount: Int, _ body: (UnsafeMutableRawBufferPointer) throws -> Result) rethrows -> Result {
        let reused = idle.withLock { idle -> Buffer? in
            guard let index = idle.firstIndex(where: { $0.memory.count >= byteCount }) else { return nil }
            return idle.remove(at: index)
        }
        let buffer = reused ?? Buffer(memory: .allocate(byteCount: max(byteCount, 64 << 10), alignment: 16))
        defer {
            let kept =
                buffer.memory.count <= maximumPooledBytes
                && idle.withLock { idle -> Bool in
                    guard idle.count < maximumIdle else { return false }
                    idle.append(buffer)
                    return true
                }
            if !kept { buffer.memory.deallocate() }
        }
        return try body(buffer.memory)
    }
}
