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
/// prefix mostly repeats one of the few before it (the same team and group; often the same email with
/// another `kind`). When a series is added, the longest start and the longest end its prefix shares with
/// one of the ``references`` prefixes before it are found; a scrape then writes those as two deflate
/// matches pointing into those lines (their distance only depends on the lengths of the values in between),
/// and the rest of the prefix and the value as literals, all with deflate's fixed Huffman codes
/// (``FixedHuffmanDeflate``). There is no match search at the scrape and no table to build: the cost is
/// close to rendering the text (see the benchmark's compression table).
public struct AgeSeries: Sendable {
    struct Entry {
        /// Where the series' label block (braces included; empty without labels) is in `labels`.
        let labelsStart: UInt32
        let labelsEnd: UInt32
        let timestamp: Double
        /// How many bytes at the start and at the end of the prefix equal those of an earlier series' prefix
        /// (capped), and how many series back that one is (1 to ``references``; the start's and the end's
        /// may differ).
        let sharedStart: UInt16
        let sharedEnd: UInt16
        let startBack: UInt8
        let endBack: UInt8

        var labelCount: Int { Int(labelsEnd - labelsStart) }
    }

    /// How many of the series before it a series' prefix is compared with: the previous line often has
    /// another user's email, the one two or three back the same `kind` (halves the literals at 10,000 demo
    /// users).
    static let references = 3

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
        var shared = (start: 0, startBack: 0, end: 0, endBack: 0)
        name.withUnsafeBufferPointer { name in
            labels.withUnsafeReadableBytes { bytes in
                let new = Prefix(name: name, labels: UnsafeRawBufferPointer(rebasing: bytes[labelsStart..<labelsEnd]))
                let earlier = (1...Self.references).compactMap { back -> (back: Int, prefix: Prefix)? in
                    guard entries.count >= back else { return nil }
                    let entry = entries[entries.count - back]
                    return (back, Prefix(name: name, labels: UnsafeRawBufferPointer(rebasing: bytes[Int(entry.labelsStart)..<Int(entry.labelsEnd)])))
                }
                // The longest start shared with one of them (the names are equal), then the longest end
                // shared with one of them within what is left.
                for reference in earlier {
                    let limit = min(new.count, reference.prefix.count)
                    var start = min(name.count, limit)
                    while start < limit, new[start] == reference.prefix[start] { start += 1 }
                    if start > shared.start { (shared.start, shared.startBack) = (start, reference.back) }
                }
                for reference in earlier {
                    let limit = min(new.count - shared.start, reference.prefix.count)
                    var end = 0
                    while end < limit, new[new.count - 1 - end] == reference.prefix[reference.prefix.count - 1 - end] { end += 1 }
                    if end > shared.end { (shared.end, shared.endBack) = (end, reference.back) }
                }
            }
        }
        entries.append(
            Entry(
                labelsStart: UInt32(labelsStart),
                labelsEnd: UInt32(labelsEnd),
                timestamp: timestamp,
                sharedStart: UInt16(clamping: shared.start),
                sharedEnd: UInt16(clamping: shared.end),
                startBack: UInt8(shared.startBack),
                endBack: UInt8(shared.endBack)
            )
        )
    }

    /// The bytes of a prefix `name{labels} `: the name, a label block, a space.
    private struct Prefix {
        let name: UnsafeBufferPointer<UInt8>
        let labels: UnsafeRawBufferPointer

        var count: Int { name.count + labels.count + 1 }

        @inline(__always)
        subscript(position: Int) -> UInt8 {
            position < name.count ? name[position] : position < name.count + labels.count ? labels[position - name.count] : 0x20
        }
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
        _ = name.withUnsafeBufferPointer { name in
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

    /// The series in ranges of about `size` (at least 1), for a scrape to render (and compress) in parallel.
    func chunks(size: Int) -> [Range<Int>] {
        let count = max(1, (entries.count + size - 1) / max(size, 1))
        let size = (entries.count + count - 1) / count
        return (0..<count).map { index in min(entries.count, index * size)..<min(entries.count, (index + 1) * size) }
    }

    var estimatedByteCount: Int { entries.count * (name.count + 64) }

    /// The lines of `range` for a scrape at `now`, as a piece for ``GzipStream``: one deflate block with
    /// fixed codes ending with a sync flush. The first line of the series is written as literals; every
    /// other line may point into the lines before it, which are in the same gzip stream even when they
    /// belong to the previous range, since the pieces of a body are spliced in order.
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
            // The lengths of the lines before this one, the last first, as far back as matches reach.
            var lineLengths = (0, 0, 0)
            for index in max(0, range.lowerBound - Self.references)..<range.lowerBound {
                let length = prefixLength(index) + ExpositionText.formatMilliseconds(now - entries[index].timestamp, into: value + 1) + 1
                lineLengths = (length, lineLengths.0, lineLengths.1)
            }
            func distanceBack(_ lines: Int) -> Int {
                lines == 1 ? lineLengths.0 : lines == 2 ? lineLengths.0 + lineLengths.1 : lineLengths.0 + lineLengths.1 + lineLengths.2
            }
            for index in range {
                let entry = entries[index]
                let labels = UnsafeRawBufferPointer(rebasing: text.labels[Int(entry.labelsStart)..<Int(entry.labelsEnd)])
                let prefixCount = text.name.count + labels.count + 1
                let valueLength = ExpositionText.formatMilliseconds(now - entry.timestamp, into: value + 1)
                value[valueLength + 1] = UInt8(ascii: "\n")
                var literalStart = 0
                var literalEnd = prefixCount
                var suffixDistance = 0
                // Back to the same place in an earlier line: for its prefix's start, the lines in between
                // and itself; for its prefix's end, that plus this prefix less its prefix.
                let sharedStart = Int(entry.sharedStart)
                if sharedStart >= FixedHuffmanDeflate.minimumMatch {
                    let distance = distanceBack(Int(entry.startBack))
                    if distance <= FixedHuffmanDeflate.maximumDistance {
                        writer.writeMatch(sharedStart, distance: distance, lengths: lengths, distances: distances)
                        literalStart = sharedStart
                    }
                }
                let sharedEnd = Int(entry.sharedEnd)
                if sharedEnd >= FixedHuffmanDeflate.minimumMatch {
                    suffixDistance = distanceBack(Int(entry.endBack)) + prefixCount - prefixLength(index - Int(entry.endBack))
                    if suffixDistance <= FixedHuffmanDeflate.maximumDistance { literalEnd = prefixCount - sharedEnd }
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
                lineLengths = (prefixCount + valueLength + 1, lineLengths.0, lineLengths.1)
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
