import Foundation
import NIOCore
import NIOHTTP1

/// An HTTP answer from an upstream API, its body read in full.
public struct UpstreamResponse: Sendable {
    public let status: Int
    public let headers: HTTPHeaders
    public let body: ByteBuffer

    public init(status: Int, headers: HTTPHeaders, body: ByteBuffer) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The wait a `Retry-After` header asks for, if any (seconds or an HTTP-date), capped at an hour.
    public var retryAfter: Duration? {
        headers.first(name: "Retry-After").flatMap { RetryAfter.parse($0, now: Date().timeIntervalSince1970) }
    }

    /// The body as text, cut to `limit` characters, for error messages.
    public func bodyExcerpt(limit: Int = 200) -> String {
        // Only the start of the body is decoded, however large the body is.
        let head = body.getSlice(at: body.readerIndex, length: min(body.readableBytes, limit * 4)) ?? ByteBuffer()
        let text = String(buffer: head)
        return text.count > limit || head.readableBytes < body.readableBytes ? String(text.prefix(limit)) + "…" : text
    }
}
