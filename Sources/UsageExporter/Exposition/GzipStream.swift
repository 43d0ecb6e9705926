import CZlib
import NIOCore

/// Builds one gzip member (RFC 1952) from deflate pieces compressed separately, so the parts of
/// `/metrics` that only change per poll are compressed once and reused by every scrape, while the
/// response stays a single ordinary gzip stream that every client reads.
///
/// Each piece is raw deflate ending with a sync flush (byte-aligned, not final); the assembled stream
/// is a gzip header, the pieces, an empty final block, and the CRC-32 of all the pieces' input,
/// combined from theirs with `crc32_combine`.
public enum GzipStream {
    /// A compressed piece, with what the trailer needs to know of its input.
    public struct Piece: Sendable {
        public let deflated: ByteBuffer
        public let crc: UInt32
        public let inputLength: Int
    }

    public enum Failure: Error {
        case zlib(Int32)
    }

    /// Level for text compressed once per poll: smaller output is worth the time.
    public static let fixedLevel: Int32 = 6
    /// Level for text compressed at every scrape: speed first.
    public static let scrapeTimeLevel: Int32 = 1

    /// Raw deflate of `input` ending with a sync flush.
    public static func piece(_ input: ByteBuffer, level: Int32) throws -> Piece {
        var stream = z_stream()
        var status = czlib_deflate_init_raw(&stream, level)
        guard status == Z_OK else { throw Failure.zlib(status) }
        defer { deflateEnd(&stream) }
        let bound = Int(deflateBound(&stream, uLong(input.readableBytes))) + 16
        var output = ByteBuffer()
        output.reserveCapacity(bound)
        var crc: uLong = crc32(0, nil, 0)
        status = input.withUnsafeReadableBytes { source -> Int32 in
            var result = Z_OK
            output.writeWithUnsafeMutableBytes(minimumWritableBytes: bound) { destination in
                let base = source.baseAddress?.assumingMemoryBound(to: Bytef.self)
                crc = crc32(crc, base, uInt(source.count))
                stream.next_in = UnsafeMutablePointer(mutating: base)
                stream.avail_in = uInt(source.count)
                stream.next_out = destination.baseAddress!.assumingMemoryBound(to: Bytef.self)
                stream.avail_out = uInt(destination.count)
                result = deflate(&stream, Z_SYNC_FLUSH)
                return destination.count - Int(stream.avail_out)
            }
            return result == Z_OK && stream.avail_in == 0 ? Z_OK : (result == Z_OK ? Z_BUF_ERROR : result)
        }
        guard status == Z_OK else { throw Failure.zlib(status) }
        return Piece(deflated: output, crc: UInt32(crc), inputLength: input.readableBytes)
    }

    /// The gzip header, the pieces in order, the final block and the trailer: one gzip member.
    public static func assemble(_ pieces: [Piece]) -> [ByteBuffer] {
        var header = ByteBuffer()
        header.writeBytes([0x1F, 0x8B, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0x03])
        var crc: uLong = crc32(0, nil, 0)
        var length: UInt64 = 0
        for piece in pieces {
            crc = crc32_combine(crc, uLong(piece.crc), off_t(piece.inputLength))
            length += UInt64(piece.inputLength)
        }
        var trailer = ByteBuffer()
        trailer.writeBytes([0x03, 0x00])  // an empty final block with fixed Huffman codes
        trailer.writeInteger(UInt32(truncatingIfNeeded: crc), endianness: .little)
        trailer.writeInteger(UInt32(truncatingIfNeeded: length), endianness: .little)
        return [header] + pieces.map(\.deflated) + [trailer]
    }
}
