import Foundation
import Synchronization
import Testing
import UsageExporterSimulator

@testable import UsageExporter

/// The token exchange shared by a customer's two collectors, against the simulator's token endpoint:
/// one exchange for every concurrent caller, and each caller can be cancelled on its own.
@Suite("Google token exchange", .serialized)
struct GoogleTokenExchangeTests {
    static func customer() -> SimulatedWorkspaceCustomer {
        GoogleDatasetGenerator().customer(emails: ["a@example.com"], extraUsers: 1, now: Date().timeIntervalSince1970)
    }

    static func provider(_ google: GoogleSimulator) throws -> GoogleAccessTokenProvider {
        GoogleAccessTokenProvider(key: try ServiceAccountKey(json: google.keyFileJSON()), subject: google.adminSubject, timeout: .seconds(30))
    }

    static func tokenRequests(_ google: GoogleSimulator) -> Int {
        google.receivedRequests.filter { $0.path == "/token" }.count
    }

    /// One caller of `provider.token`, in a task the test can cancel on its own.
    final class Caller: Sendable {
        let task: Task<String, any Error>

        init(_ provider: GoogleAccessTokenProvider) {
            let client = UpstreamClient(httpClient: TestHTTPClient.shared)
            task = Task { try await provider.token(client: client, now: Date().timeIntervalSince1970, record: { _ in }) }
        }

        /// The token, or the error's type name.
        func outcome() async -> String {
            switch await task.result {
            case .success(let token): token
            case .failure(let error): "\(type(of: error))"
            }
        }
    }

    @Test("concurrent callers share one exchange; later callers use the cached token")
    func sharedExchange() async throws {
        let google = GoogleSimulator(customer: Self.customer(), account: TestKeys.account)
        _ = try await google.start()
        try await withAsyncCleanup {
            let provider = try Self.provider(google)
            let callers = (0..<8).map { _ in Caller(provider) }
            var tokens: Set<String> = []
            for caller in callers { tokens.insert(await caller.outcome()) }
            #expect(tokens.count == 1)
            #expect(tokens.first?.hasPrefix("ya29.simulated-") == true)
            #expect(await Caller(provider).outcome() == tokens.first)
            #expect(Self.tokenRequests(google) == 1)
            #expect(google.issuedTokenCount == 1)
        } cleanup: {
            await google.stop()
        }
    }

    @Test("a waiting caller can be cancelled alone; cancelling the exchanging caller hands the exchange to a waiter")
    func cancellationPerWaiter() async throws {
        let google = GoogleSimulator(customer: Self.customer(), account: TestKeys.account)
        google.inject(.tokenHang, count: 1)
        _ = try await google.start()
        try await withAsyncCleanup {
            let provider = try Self.provider(google)
            let exchanging = Caller(provider)
            try await waitUntil("the first exchange to hang at the token endpoint") { Self.tokenRequests(google) == 1 }
            let waiting = Caller(provider)
            let leaving = Caller(provider)

            leaving.task.cancel()
            #expect(await leaving.outcome() == "CancellationError")
            #expect(Self.tokenRequests(google) == 1)  // the others still wait for the hung exchange

            exchanging.task.cancel()
            #expect(await exchanging.outcome() == "CancellationError")
            // The waiter now exchanges in its own task; the endpoint answers this time.
            let token = await waiting.outcome()
            #expect(token.hasPrefix("ya29.simulated-"))
            #expect(Self.tokenRequests(google) == 2)
            #expect(google.issuedTokenCount == 1)
        } cleanup: {
            await google.stop()
        }
    }

    @Test("a failed exchange fails its waiters with the same error, and the next call tries again")
    func failedExchange() async throws {
        let google = GoogleSimulator(customer: Self.customer(), account: TestKeys.account)
        google.inject(.tokenInvalidGrant, count: 1)
        _ = try await google.start()
        try await withAsyncCleanup {
            let provider = try Self.provider(google)
            let client = UpstreamClient(httpClient: TestHTTPClient.shared)
            await #expect(throws: CollectorError.self) {
                _ = try await provider.token(client: client, now: Date().timeIntervalSince1970, record: { _ in })
            }
            let token = try await provider.token(client: client, now: Date().timeIntervalSince1970, record: { _ in })
            #expect(token.hasPrefix("ya29.simulated-"))
            #expect(Self.tokenRequests(google) == 2)
        } cleanup: {
            await google.stop()
        }
    }

    @Test("expires_in out of range (negative, huge) is bounded: a token is then exchanged again for each call")
    func boundedLifetime() async throws {
        let google = GoogleSimulator(customer: Self.customer(), account: TestKeys.account)
        google.setTokenLifetime(seconds: -100)
        _ = try await google.start()
        try await withAsyncCleanup {
            let provider = try Self.provider(google)
            let client = UpstreamClient(httpClient: TestHTTPClient.shared)
            for _ in 0..<3 { _ = try await provider.token(client: client, now: Date().timeIntervalSince1970, record: { _ in }) }
            #expect(Self.tokenRequests(google) == 3)
            google.setTokenLifetime(seconds: Int.max)
            let now = Date().timeIntervalSince1970
            let first = try await provider.token(client: client, now: now, record: { _ in })
            // Capped at a day: still cached after 23 hours; a day later a new exchange is attempted (which the
            // endpoint refuses, as Google would, since the assertion is then dated a day ahead).
            #expect(try await provider.token(client: client, now: now + 23 * 3600, record: { _ in }) == first)
            #expect(Self.tokenRequests(google) == 4)
            await #expect(throws: CollectorError.self) { _ = try await provider.token(client: client, now: now + 86_400, record: { _ in }) }
            #expect(Self.tokenRequests(google) == 5)
        } cleanup: {
            await google.stop()
        }
    }
}
