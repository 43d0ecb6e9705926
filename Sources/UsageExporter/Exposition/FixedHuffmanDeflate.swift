/// Raw deflate (RFC 1951) with the fixed Huffman codes of §3.2.6, written symbol by symbol: what
/// ``AgeSeries`` compresses its lines with at each gzip scrape, where it knows which bytes repeat the
/// previous line and needs no match search (see ``AgeSeries/deflatePiece(_:now:)``).
///
/// The codes are fixed, so there is no table to build or send; literals cost 8 or 9 bits, matches 7 to 31.
enum FixedHuffmanDeflate {
    /// One code, bits in the order they are written (least significant first), and how many: at most 24
    /// bits (a distance code and its extra bits take 18), packed in 32 for small, cache-friendly tables.
    struct Code {
        private let packed: UInt32

        init(bits: UInt32, count: Int) {
            packed = bits | UInt32(count) << 24
        }

        var bits: UInt32 { packed & 0x00FF_FFFF }
        var count: Int { Int(packed >> 24) }
    }

    /// Code and extra bits of every literal/length symbol 0...287 (§3.2.6), Huffman bits reversed.
    static let literals: [Code] = (0..<288).map { symbol in
        switch symbol {
        case 0...143: Code(bits: reversed(0x30 + UInt32(symbol), 8), count: 8)
        case 144...255: Code(bits: reversed(0x190 + UInt32(symbol - 144), 9), count: 9)
        case 256...279: Code(bits: reversed(UInt32(symbol - 256), 7), count: 7)
        default: Code(bits: reversed(0xC0 + UInt32(symbol - 280), 8), count: 8)
        }
    }

    static let endOfBlock = literals[256]

    private static let lengthBases: [Int] = [
        3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258,
    ]
    private static let lengthExtraBits: [Int] = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    private static let distanceBases: [Int] = [
        1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289,
        16385, 24577,
    ]
    private static let distanceExtraBits: [Int] = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]

    static let minimumMatch = 3
    static let maximumMatch = 258
    static let maximumDistance = 32768

    /// Symbol and extra bits of every match length 3...258, indexed by the length (0...2 unused).
    static let lengths: [Code] = (0...maximumMatch).map { length in
        guard length >= minimumMatch else { return Code(bits: 0, count: 0) }
        let index = lengthBases.lastIndex { $0 <= length }!
        let symbol = literals[257 + index]
        return Code(bits: symbol.bits | UInt32(length - lengthBases[index]) << symbol.count, count: symbol.count + lengthExtraBits[index])
    }

    /// Code and extra bits of every distance 1...32768, indexed by the distance (0 unused).
    static let distances: [Code] = (0...maximumDistance).map { distance in
        guard distance >= 1 else { return Code(bits: 0, count: 0) }
        let index = distanceBases.lastIndex { $0 <= distance }!
        return Code(bits: reversed(UInt32(index), 5) | UInt32(distance - distanceBases[index]) << 5, count: 5 + distanceExtraBits[index])
    }

    static func reversed(_ code: UInt32, _ count: Int) -> UInt32 {
        var result: UInt32 = 0
        for bit in 0..<count where code & (1 << bit) != 0 { result |= 1 << (count - 1 - bit) }
        return result
    }

    /// The most bytes a block of `inputBytes` bytes can take, with its header, end and the sync flush.
    static func outputBound(inputBytes: Int) -> Int {
        inputBytes + inputBytes / 8 + 32
    }
}

/// Writes bits least significant first into memory the caller sized (``FixedHuffmanDeflate/outputBound(inputBytes:)``),
/// four bytes at a time.
struct DeflateBitWriter {
    private let output: UnsafeMutableRawPointer
    private(set) var byteCount = 0
    private var pending: UInt64 = 0
    private var pendingCount = 0

    init(_ output: UnsafeMutableRawPointer) {
        self.output = output
    }

    /// Writes the low `count` bits of `bits` (`count` ≤ 32).
    @inline(__always)
    mutating func write(_ bits: UInt32, _ count: Int) {
        pending |= UInt64(bits) << UInt64(pendingCount)
        pendingCount += count
        if pendingCount >= 32 {
            output.storeBytes(of: UInt32(truncatingIfNeeded: pending).littleEndian, toByteOffset: byteCount, as: UInt32.self)
            byteCount += 4
            pending >>= 32
            pendingCount -= 32
        }
    }

    @inline(__always)
    mutating func write(_ code: FixedHuffmanDeflate.Code) {
        write(code.bits, code.count)
    }

    /// Writes a match of `length` bytes (3 or more) `distance` back (1...32768), as several of at most 258.
    @inline(__always)
    mutating func writeMatch(
        _ length: Int,
        distance: Int,
        lengths: UnsafeBufferPointer<FixedHuffmanDeflate.Code>,
        distances: UnsafeBufferPointer<FixedHuffmanDeflate.Code>
    ) {
        var remaining = length
        while remaining > 0 {
            let take =
                remaining <= FixedHuffmanDeflate.maximumMatch
                ? remaining : min(FixedHuffmanDeflate.maximumMatch, remaining - FixedHuffmanDeflate.minimumMatch)
            write(lengths[take])
            write(distances[distance])
            remaining -= take
        }
    }

    /// The header of a block with fixed codes that is not the last one.
    mutating func beginFixedBlock() {
        write(0b010, 3)  // BFINAL 0, BTYPE 01
    }

    /// Ends the block, then writes an empty stored block, as zlib's sync flush does: the output ends on a
    /// byte boundary with the stream still open, so that more deflate data can follow it.
    mutating func endBlockAndSyncFlush() {
        write(FixedHuffmanDeflate.endOfBlock)
        write(0, 3)  // BFINAL 0, BTYPE 00 (stored)
        while pendingCount > 0 {
            output.storeBytes(of: UInt8(truncatingIfNeeded: pending), toByteOffset: byteCount, as: UInt8.self)
            byteCount += 1
            pending >>= 8
            pendingCount = max(0, pendingCount - 8)
        }
        for byte: UInt8 in [0x00, 0x00, 0xFF, 0xFF] {  // LEN 0, NLEN ~0
            output.storeBytes(of: byte, toByteOffset: byteCount, as: UInt8.self)
            byteCount += 1
        }
    }
}
