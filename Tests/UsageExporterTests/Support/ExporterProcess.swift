import AsyncHTTPClient
import Foundation
import NIOHTTP1
import Testing

/// The real `usage-exporter` binary run as a child process. Its standard output and error go to files
/// (tests run in parallel, and a pipe's write end inherited by another child would never reach its end).
final class ExporterProcess: @unchecked Sendable {
    let process = Process()
    private let directory = TemporaryDirectory()

    init(arguments: [String], environment: [String: String]? = nil) throws {
        process.executableURL = TestPaths.binary
        process.arguments = arguments
        if let environment { process.environment = environment }
        process.standardOutput = FileHandle(forWritingAtPath: directory.write("stdout", ""))
        process.standardError = FileHandle(forWritingAtPath: directory.write("stderr", ""))
        try process.run()
    }

    var standardErrorText: String { (try? String(contentsOfFile: directory.file("stderr"), encoding: .utf8)) ?? "" }
    var standardOutputText: String { (try? String(contentsOfFile: directory.file("stdout"), encoding: .utf8)) ?? "" }

    /// Runs the binary to completion and returns its exit code and output.
    static func run(
        _ arguments: [String],
        environment: [String: String]? = nil,
        timeout: Duration = .seconds(30)
    ) async throws -> (code: Int32, output: String, error: String) {
        let child = try ExporterProcess(arguments: arguments, environment: environment)
        let code = try await child.waitForExit(timeout: timeout)
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
                    let port = address.split(separator: ":").last.flatMap({ Int($0) })
                {
                    return port
                }
            }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw ExporterHarness.HarnessError("no listening line; stderr:\n\(standardErrorText)")
    }

    /// A GET (or `method`) to the running binary, once `listeningPort()` has found its port.
    func request(_ path: String, port: Int, method: HTTPMethod = .GET) async throws -> (status: Int, body: String) {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.method = method
        let response = try await TestHTTPClient.shared.execute(request, timeout: .seconds(10))
        return (Int(response.status.code), String(buffer: try await response.body.collect(upTo: 64 << 20)))
    }

    /// Scrapes `/metrics` until `condition` holds, or fails after `timeout`.
    @discardableResult
    func waitForMetrics(
        port: Int,
        timeout: Duration = .seconds(15),
        _ what: String,
        _ condition: (ParsedExposition) -> Bool
    ) async throws -> ParsedExposition {
        var metrics = ParsedExposition("")
        try await waitUntil(what, timeout: timeout) {
            metrics = ParsedExposition(try await request("/metrics", port: port).body)
            return condition(metrics)
        }
        return metrics
    }

    func signal(_ signal: Int32) {
        kill(process.processIdentifier, signal)
    }

    deinit {
        if process.isRunning { process.terminate() }
    }
}
