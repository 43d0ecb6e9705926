import Foundation
import NIOCore
import NIOHTTP1

/// An HTTP answer from an upstream API, its body read in full.
public struct UpstreamResponse: Sendable {
    public let status: Int
    public let headers: HTTPHeaders
    public let body: ByteBuffer
    /// When the answer arrived (Unix seconds, the client's clock): an HTTP-date `Retry-After` counts from it.
    public let receivedAt: Double

    public init(status: Int, headers: HTTPHeaders, body: ByteBuffer, receivedAt: Double) {
        self.status = status
        self.headers = headers
        self.body = body
        self.receivedAt = receivedAt
    }

    /// The wait a `Retry-After` header asks for, if any (seconds or an HTTP-date), capped at an hour.
    public var retryAfter: Duration? {
        headers.first(name: "Retry-After").flatMap { RetryAfter.parse($0, now: receivedAt) }
    }

    /// The body as text, cut to `limit` characters, for error messages.
    public func bodyExcerpt(limit: Int = 200) -> String {
        // Only the start of the body is decoded, however large the body is.
        let head = body.getSlice(at: body.readerIndex, length: min(body.readableBytes, limit * 4)) ?? ByteBuffer()
        let text = String(buffer: head)
        return text.count > limit || head.readableBytes < body.readableBytes ? String(text.prefix(limit)) + "…" : text
    }
}
