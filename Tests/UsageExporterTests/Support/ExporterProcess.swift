import Foundation
import Testing

/// The real `usage-exporter` binary run as a child process.
final class ExporterProcess: @unchecked Sendable {
    let process = Process()
    private let standardError = Pipe()
    private let standardOutput = Pipe()
    private let errorText = LockedText()
    private let outputText = LockedText()

    /// What a pipe delivered, and whether it reached its end.
    final class LockedText: @unchecked Sendable {
        private let lock = NSLock()
        private var text = ""
        private var ended = false
        func append(_ more: String) { lock.lock(); text += more; lock.unlock() }
        func end() { lock.lock(); ended = true; lock.unlock() }
        var value: String { lock.lock(); defer { lock.unlock() }; return text }
        var isEnded: Bool { lock.lock(); defer { lock.unlock() }; return ended }
    }

    init(arguments: [String], environment: [String: String]? = nil) throws {
        process.executableURL = TestPaths.binary
        process.arguments = arguments
        if let environment { process.environment = environment }
        process.standardError = standardError
        process.standardOutput = standardOutput
        let errorText = self.errorText
        standardError.fileHandleForReading.readabilityHandler = Self.collect(into: errorText)
        standardOutput.fileHandleForReading.readabilityHandler = Self.collect(into: outputText)
        try process.run()
    }

    /// A pipe reader that appends what arrives and marks the end of the pipe.
    static func collect(into text: LockedText) -> @Sendable (FileHandle) -> Void {
        { handle in
            let data = handle.availableData
            if data.isEmpty {
                handle.readabilityHandler = nil
                text.end()
            } else {
                text.append(String(decoding: data, as: UTF8.self))
            }
        }
    }

    var standardErrorText: String { errorText.value }
    var standardOutputText: String { outputText.value }

    /// Runs the binary to completion and returns its exit code and output.
    static func run(_ arguments: [String], environment: [String: String]? = nil, timeout: Duration = .seconds(30)) async throws -> (code: Int32, output: String, error: String) {
        let child = try ExporterProcess(arguments: arguments, environment: environment)
        let code = try await child.waitForExit(timeout: timeout)
        try await waitUntil("the output pipes to drain") { child.outputText.isEnded && child.errorText.isEnded }
        return (code, child.standardOutputText, child.standardErrorText)
    }

    /// Waits for the process to end; fails (and kills it) after `timeout`.
    func waitForExit(timeout: Duration) async throws -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            if ContinuousClock.now > deadline {
                process.terminate()
                throw ExporterHarness.HarnessError("the exporter did not exit within \(timeout)")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        return process.terminationStatus
    }

    /// The port from the "listening" log line, once it appears.
    func listeningPort(timeout: Duration = .seconds(20)) async throws -> Int {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            for line in standardErrorText.split(separator: "\n") where line.contains("msg=listening") {
                if let address = line.split(separator: " ").first(where: { $0.hasPrefix("address=") }),
                   let port = address.split(separator: ":").last.flatMap({ Int($0) }) {
                    return port
                }
            }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw ExporterHarness.HarnessError("no listening line; stderr:\n\(standardErrorText)")
    }

    func signal(_ signal: Int32) {
        kill(process.processIdentifier, signal)
    }

    deinit {
        if process.isRunning { process.terminate() }
    }
}
