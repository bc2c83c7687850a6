import Hummingbird
import NIOCore

/// A request body streamed on (to a blob store, say) that fails with a 413 as soon as it grows
/// past `limit` bytes, so an upload is never held in memory and never stored over its limit.
public struct LimitedBody<Base: AsyncSequence & Sendable>: AsyncSequence, Sendable where Base.Element == ByteBuffer {
    public typealias Element = ByteBuffer
    let base: Base
    let limit: Int
    let message: String

    public init(_ base: Base, limit: Int, message: String) {
        self.base = base
        self.limit = limit
        self.message = message
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: Base.AsyncIterator
        let limit: Int
        let message: String
        var seen = 0

        public mutating func next() async throws -> ByteBuffer? {
            guard let chunk = try await base.next() else { return nil }
            seen += chunk.readableBytes
            if seen > limit { throw ProblemError(.contentTooLarge, message) }
            return chunk
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: base.makeAsyncIterator(), limit: limit, message: message)
    }
}
