import Foundation
import Testing
import UsageExporter
import UsageExporterSimulator

/// Raw TCP clients that misbehave, next to a well-behaved scrape.
@Suite("Abuse", .serialized)
struct AbuseTests {
    /// A blocking loopback TCP socket.
    final class RawConnection {
        let descriptor: Int32

        init(port: Int) throws {
            descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            var timeout = timeval(tv_sec: 5, tv_usec: 0)
            setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            let result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard result == 0 else { throw ExporterHarness.HarnessError("connect failed: \(errno)") }
        }

        func send(_ bytes: [UInt8]) {
            var sent = 0
            while sent < bytes.count {
                let count = bytes[sent...].withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                if count <= 0 { return }
                sent += count
            }
        }

        /// What the server sends until it closes or the 5 s receive timeout passes.
        func receiveAll() -> String {
            var data = [UInt8]()
            var chunk = [UInt8](repeating: 0, count: 65_536)
            while true {
                let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
                if count <= 0 { break }
                data += chunk[0..<count]
            }
            return String(decoding: data, as: UTF8.self)
        }

        deinit { close(descriptor) }
    }

    static func start() async throws -> ExporterHarness {
        let teams = WindsurfDatasetGenerator(seed: 8).demoTeams(users: 20, now: Date().timeIntervalSince1970)
        let harness = try await ExporterHarness.start(teams: teams) { baseURL in
            ExporterConfiguration(windsurf: ExporterHarness.teamConfigurations(teams, baseURL: baseURL, interval: .seconds(60)))
        }
        try await harness.waitUntilReady()
        return harness
    }

    @Test("garbage bytes and oversized headers get an error and a closed connection; others are still served")
    func garbageAndOversizedHeaders() async throws {
        let harness = try await Self.start()
        try await withAsyncCleanup {
            let garbage = try RawConnection(port: harness.port)
            garbage.send((0..<4096).map { _ in UInt8.random(in: 0...255) })
            let garbageAnswer = garbage.receiveAll()
            #expect(garbageAnswer.isEmpty || garbageAnswer.hasPrefix("HTTP/1.1 400"))

            let oversized = try RawConnection(port: harness.port)
            oversized.send(Array("GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: \(String(repeating: "a", count: 200_000))\r\n\r\n".utf8))
            let oversizedAnswer = oversized.receiveAll()
            #expect(!oversizedAnswer.contains("200 OK"))

            #expect(try await harness.metrics().samples("windsurf_user_info").count > 0)
        } cleanup: {
            await harness.stop()
        }
    }

    @Test("200 idle connections and slow clients do not stop /metrics for others, and memory stays bounded")
    func idleAndSlowClients() async throws {
        let harness = try await Self.start()
        try await withAsyncCleanup {
            let before = try #require(try await harness.metrics().value("process_resident_memory_bytes"))
            let idle = try (0..<200).map { _ in try RawConnection(port: harness.port) }
            // Slow clients: half a request line, then nothing.
            let slow = try (0..<20).map { _ in try RawConnection(port: harness.port) }
            for connection in slow { connection.send(Array("GET /metr".utf8)) }
            for _ in 0..<10 {
                let metrics = try await harness.metrics()
                #expect(metrics.samples("windsurf_user_info").count > 0)
            }
            let after = try #require(try await harness.metrics().value("process_resident_memory_bytes"))
            #expect(after - before < 64 * 1_048_576, "resident memory grew by \((after - before) / 1_048_576) MiB")
            // The 200 idle and 20 slow connections stay open until here.
            withExtendedLifetime((idle, slow)) {}
        } cleanup: {
            await harness.stop()
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif
