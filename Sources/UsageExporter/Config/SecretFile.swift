#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads small files named by the configuration (`*_file` keys), with the operating system's reason on failure.
public enum SecretFile {
    /// A file that could not be read, with the system's reason (`No such file or directory`, `Permission denied`).
    public struct ReadError: Error, Sendable, CustomStringConvertible {
        public let path: String
        public let reason: String
        public var description: String { "cannot read \"\(path)\": \(reason)" }
    }

    /// The largest file read: a key file is a few kilobytes.
    static let maximumSize = 1 << 20

    /// The file's bytes as text.
    public static func contents(of path: String) throws(ReadError) -> String {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw ReadError(path: path, reason: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16_384)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw ReadError(path: path, reason: String(cString: strerror(errno)))
            }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
            guard bytes.count <= maximumSize else { throw ReadError(path: path, reason: "larger than 1 MiB") }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The file's text with trailing whitespace and newlines removed, as secrets are stored.
    public static func trimmedContents(of path: String) throws(ReadError) -> String {
        var text = Substring(try contents(of: path))
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return String(text)
    }
}
