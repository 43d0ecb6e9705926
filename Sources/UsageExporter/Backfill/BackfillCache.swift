import Crypto
import Foundation
import NIOCore
import NIOFoundationCompat

/// The answers a backfill has fetched, on disk under the output directory, so that a run that stopped (an
/// upstream failure, a signal) resumes where it was and a second run asks the upstream for nothing it already has.
///
/// Each source has a folder named after a digest of everything that shapes its families (see
/// ``BackfillHistory/cacheIdentity``), so a changed configuration or privacy setting never reuses an answer
/// built under the old one. Files appear whole: written under a temporary name, then renamed.
public struct BackfillCache: Sendable {
    public let directory: String

    public init(outputDirectory: String) {
        directory = (outputDirectory as NSString).appendingPathComponent(".cache")
    }

    /// The folder of a source's answers.
    func folder(collector: CollectorKind, identity: String) -> String {
        let digest = SHA256.hash(data: Data(identity.utf8)).prefix(8).map { String(format: "%02x", $0) }.joined()
        return (directory as NSString).appendingPathComponent("\(collector.rawValue)-\(digest)")
    }

    /// The cached answer for `date` (`yyyy-mm-dd`), or nil when there is none or it cannot be read.
    func load(folder: String, date: String) -> BackfillAnswer? {
        let path = (folder as NSString).appendingPathComponent(date + ".txt")
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return BackfillAnswer.parse(ByteBuffer(data: data))
    }

    /// Removes the answer for `date` (one that proved unreadable).
    func remove(folder: String, date: String) {
        try? FileManager.default.removeItem(atPath: (folder as NSString).appendingPathComponent(date + ".txt"))
    }

    /// Stores `answer` for `date`, whole or not at all.
    func store(_ answer: BackfillAnswer, folder: String, date: String) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = (folder as NSString).appendingPathComponent(date + ".txt")
        try BackfillFiles.writeAtomically(answer.serialized(), to: path)
    }
}

/// Whole-file writes: a file appears under its name complete, or not at all.
enum BackfillFiles {
    /// Writes `buffer` to a temporary name beside `path`, flushes it to disk and renames it to `path`.
    static func writeAtomically(_ buffer: ByteBuffer, to path: String) throws {
        let file = try BackfillFileWriter(path: path)
        do {
            try file.write(buffer)
            try file.commit()
        } catch {
            file.abort()
            throw error
        }
    }

    /// `.NAME.tmp` in the same folder, so that the rename stays on one file system.
    static func temporaryName(for path: String) -> String {
        let folder = (path as NSString).deletingLastPathComponent
        return (folder as NSString).appendingPathComponent("." + (path as NSString).lastPathComponent + ".tmp")
    }

    /// Replaces `path` by `source` in one step (POSIX rename).
    static func rename(_ source: String, to path: String) throws {
        guard Foundation.rename(source, path) == 0 else {
            throw BackfillError.output(path: path, reason: String(cString: strerror(errno)))
        }
    }
}

/// A file written in pieces under a temporary name, that appears under its own name only once `commit()` has
/// flushed it whole; `abort()` (or a crash) leaves nothing but the temporary name, removed by the next run.
final class BackfillFileWriter {
    let path: String
    private let temporary: String
    private let handle: FileHandle

    init(path: String) throws {
        self.path = path
        temporary = BackfillFiles.temporaryName(for: path)
        guard FileManager.default.createFile(atPath: temporary, contents: nil) else {
            throw BackfillError.output(path: temporary, reason: "cannot create the file")
        }
        do {
            handle = try FileHandle(forWritingTo: URL(fileURLWithPath: temporary))
        } catch {
            throw BackfillError.output(path: temporary, reason: error.localizedDescription)
        }
    }

    func write(_ buffer: ByteBuffer) throws {
        do {
            try handle.write(contentsOf: Data(buffer: buffer, byteTransferStrategy: .noCopy))
        } catch {
            throw BackfillError.output(path: temporary, reason: error.localizedDescription)
        }
    }

    func commit() throws {
        do {
            try handle.synchronize()
            try handle.close()
        } catch {
            throw BackfillError.output(path: temporary, reason: error.localizedDescription)
        }
        try BackfillFiles.rename(temporary, to: path)
    }

    func abort() {
        try? handle.close()
        try? FileManager.default.removeItem(atPath: temporary)
    }
}
