import HummingbirdBcrypt
import NIOPosix

/// bcrypt on NIO's thread pool: a hash costs tens of milliseconds of CPU, which must not block
/// the async executors serving other requests.
struct PasswordHasher: Sendable {
    let cost: Int

    /// Passwords are limited to 72 bytes because bcrypt silently ignores the rest.
    static let maximumBytes = 72
    static let minimumCharacters = 10

    func hash(_ password: String) async throws -> String {
        let cost = UInt8(self.cost)
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    func verify(_ password: String, hash: String) async throws -> Bool {
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }
    }

    /// A hash of nothing anyone knows, verified against when the e-mail is unknown so that
    /// response times do not reveal which accounts exist.
    static let decoyHash = Bcrypt.hash("comptoir-decoy-password", cost: 10)
}
