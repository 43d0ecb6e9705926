import CLibdeflate
import CZlib
import NIOCore
import Synchronization

/// Builds one gzip member (RFC 1952) from deflate pieces compressed separately, so the parts of
/// `/metrics` that only change per poll are compressed once and reused by every scrape, while the
/// response stays a single ordinary gzip stream that every client reads.
///
/// Each piece is raw deflate ending with a sync flush (byte-aligned, not final); the assembled stream
/// is a gzip header, the pieces, an empty final block, and the CRC-32 of all the pieces' input,
/// combined from theirs with `crc32_combine`. Splicing needs zlib's streaming (libdeflate compresses
/// whole buffers into complete streams only); the CRC-32 of a piece comes from libdeflate, which computes
/// it faster than zlib (measured on the age lines of the demo at 10,000 users: 2.4 times in 512 KiB
/// buffers, 10 times in 128-byte ones).
public enum GzipStream {
    /// A compressed piece, with what the trailer needs to know of its input.
    public struct Piece: Sendable {
        public let deflated: ByteBuffer
        public let crc: UInt32
        public let inputLength: Int

        public init(deflated: ByteBuffer, crc: UInt32, inputLength: Int) {
            self.deflated = deflated
            self.crc = crc
            self.inputLength = inputLength
        }
    }

    /// Pieces back to back, with their CRC and length combined once: a run of a plan's fixed lines, assembled
    /// per plan so that a scrape combines a few spans instead of every family's piece.
    public struct Span: Sendable {
        public let buffers: [ByteBuffer]
        public let crc: UInt32
        public let inputLength: Int

        public init(_ pieces: [Piece]) {
            var crc: uLong = 0
            var length = 0
            for piece in pieces {
                crc = crc32_combine(crc, uLong(piece.crc), off_t(piece.inputLength))
                length += piece.inputLength
            }
            self.buffers = pieces.map(\.deflated).filter { $0.readableBytes > 0 }
            self.crc = UInt32(truncatingIfNeeded: crc)
            self.inputLength = length
        }

        init(buffers: [ByteBuffer], crc: UInt32, inputLength: Int) {
            self.buffers = buffers
            self.crc = crc
            self.inputLength = inputLength
        }
    }

    public enum Failure: Error {
        case zlib(Int32)
    }

    /// Level for text compressed once per poll: smaller output is worth the time.
    public static let fixedLevel: Int32 = 6
    /// Level for the small parts compressed at every scrape (active-user counts, self-metrics): speed first.
    public static let scrapeTimeLevel: Int32 = 1

    /// Raw deflate of `input` ending with a sync flush; its CRC-32 from libdeflate, which is faster.
    public static func piece(_ input: ByteBuffer, level: Int32) throws -> Piece {
        try ZlibDeflaters.shared.withStream(level: level) { stream in
            let bound = Int(deflateBound(stream, uLong(input.readableBytes))) + 16
            var output = ByteBuffer()
            output.reserveCapacity(bound)
            var crc: UInt32 = 0
            let status = input.withUnsafeReadableBytes { source -> Int32 in
                var result = Z_OK
                output.writeWithUnsafeMutableBytes(minimumWritableBytes: bound) { destination in
                    let base = source.baseAddress?.assumingMemoryBound(to: Bytef.self)
                    crc = libdeflate_crc32(0, source.baseAddress, source.count)
                    stream.pointee.next_in = UnsafeMutablePointer(mutating: base)
                    stream.pointee.avail_in = uInt(source.count)
                    stream.pointee.next_out = destination.baseAddress!.assumingMemoryBound(to: Bytef.self)
                    stream.pointee.avail_out = uInt(destination.count)
                    result = deflate(stream, Z_SYNC_FLUSH)
                    return destination.count - Int(stream.pointee.avail_out)
                }
                return result == Z_OK && stream.pointee.avail_in == 0 ? Z_OK : (result == Z_OK ? Z_BUF_ERROR : result)
            }
            guard status == Z_OK else { throw Failure.zlib(status) }
            return Piece(deflated: output, crc: crc, inputLength: input.readableBytes)
        }
    }

    /// The gzip header, the pieces in order, the final block and the trailer: one gzip member.
    public static func assemble(_ pieces: [Piece]) -> [ByteBuffer] {
        assemble([Span(pieces)])
    }

    /// The gzip header, the spans in order, the final block and the trailer: one gzip member.
    public static func assemble(_ spans: [Span]) -> [ByteBuffer] {
        var header = ByteBuffer()
        header.writeBytes([0x1F, 0x8B, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0x03])
        var crc: uLong = 0
        var length: UInt64 = 0
        for span in spans {
            crc = crc32_combine(crc, uLong(span.crc), off_t(span.inputLength))
            length += UInt64(span.inputLength)
        }
        var trailer = ByteBuffer()
        trailer.writeBytes([0x03, 0x00])  // an empty final block with fixed Huffman codes
        trailer.writeInteger(UInt32(truncatingIfNeeded: crc), endianness: .little)
        trailer.writeInteger(UInt32(truncatingIfNeeded: length), endianness: .little)
        return [header] + spans.flatMap(\.buffers) + [trailer]
    }
}

/// zlib deflate streams kept for reuse, per level, and reset between uses: initializing one allocates
/// about 256 KiB, which a scrape compressing its small parts would otherwise allocate and fault in each
/// time. A stream is used by one thread at a time; at most a few per level are kept idle.
final class ZlibDeflaters: Sendable {
    static let shared = ZlibDeflaters()

    /// A stream at a stable address (zlib's state points back to it), owned by whoever took it.
    private struct Handle: @unchecked Sendable {
        let stream: UnsafeMutablePointer<z_stream>
    }

    private let idle = Mutex<[Int32: [Handle]]>([:])
    private let maximumIdlePerLevel = 4

    func withStream<Result>(level: Int32, _ body: (UnsafeMutablePointer<z_stream>) throws -> Result) throws -> Result {
        let handle: Handle
        if let reused = idle.withLock({ $0[level]?.popLast() }) {
            handle = reused
            deflateReset(handle.stream)
        } else {
            let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
            stream.initialize(to: z_stream())
            let status = czlib_deflate_init_raw(stream, level)
            guard status == Z_OK else {
                stream.deallocate()
                throw GzipStream.Failure.zlib(status)
            }
            handle = Handle(stream: stream)
        }
        defer {
            let kept = idle.withLock { idle -> Bool in
                guard idle[level, default: []].count < maximumIdlePerLevel else { return false }
                idle[level, default: []].append(handle)
                return true
            }
            if !kept {
                deflateEnd(handle.stream)
                handle.stream.deallocate()
            }
        }
        return try body(handle.stream)
    }
}
