import NIOConcurrencyHelpers
import NIOCore

/// A request body on its way to an upstream that says when the upstream client is done reading
/// it. A service may answer before it has read the body (a 413 from `Content-Length`, a 404, a
/// 401); the HTTP client then goes on sending in the background, and the gateway must not hand
/// the connection back to the server — which reads whatever is left of the body — while that
/// read is still under way: one body cannot be read by two readers at once.
struct TrackedBody<Base: AsyncSequence & Sendable>: AsyncSequence, Sendable where Base.Element == ByteBuffer {
    typealias Element = ByteBuffer

    /// Whether the body has been read to its end (or failed), and whether a read is under way.
    final class Completion: Sendable {
        private let state = NIOLockedValueBox((done: false, reading: false, failed: false))

        var isDone: Bool { state.withLockedValue { $0.done } }
        var isReading: Bool { state.withLockedValue { $0.reading } }
        /// Reading the client's body failed (it went away mid-body): a failure of the client's, not the upstream's.
        var hasFailed: Bool { state.withLockedValue { $0.failed } }

        func startRead() { state.withLockedValue { $0.reading = true } }

        func endRead(finished: Bool, failed: Bool = false) {
            state.withLockedValue {
                $0.reading = false
                if finished { $0.done = true }
                if failed { $0.failed = true }
            }
        }

        /// Returns once the body is done, or once no read has been under way for a while (the
        /// client gave up sending, as it does when the upstream closes the connection); `false`
        /// after `timeout`.
        func wait(timeout: Duration, idle: Duration = .milliseconds(50)) async -> Bool {
            let deadline = ContinuousClock.now + timeout
            var idleSince: ContinuousClock.Instant?
            while !isDone {
                if isReading {
                    idleSince = nil
                } else if let since = idleSince {
                    if ContinuousClock.now - since >= idle { return true }
                } else {
                    idleSince = .now
                }
                guard ContinuousClock.now < deadline, (try? await Task.sleep(for: .milliseconds(5))) != nil else { return false }
            }
            return true
        }
    }

    let base: Base
    let completion: Completion

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: Base.AsyncIterator
        let completion: Completion

        mutating func next() async throws -> ByteBuffer? {
            completion.startRead()
            do {
                let chunk = try await base.next()
                completion.endRead(finished: chunk == nil)
                return chunk
            } catch {
                completion.endRead(finished: true, failed: true)
                throw error
            }
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: base.makeAsyncIterator(), completion: completion) }
}
