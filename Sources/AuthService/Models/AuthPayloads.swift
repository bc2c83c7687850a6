import ComptoirKit
import FluentKit
import Foundation

/// `POST /auth/register`
struct RegisterRequest: Decodable, Sendable {
    var email: String
    var password: String
    var name: String
}

/// `POST /auth/login`
struct LoginRequest: Decodable, Sendable {
    var email: String
    var password: String
    var otp: String?
}

/// `POST /auth/refresh` and `POST /auth/logout`
struct RefreshRequest: Decodable, Sendable {
    var refreshToken: String
}

/// `POST /auth/password`
struct PasswordChangeRequest: Decodable, Sendable {
    var currentPassword: String
    var newPassword: String
}

/// `PUT /auth/users/{id}/roles`
struct RolesRequest: Decodable, Sendable {
    var roles: [String]
}

/// A user as the API shows it.
struct UserResponse: Encodable, Sendable {
    var id: UUID
    var email: String
    var name: String
    var roles: [String]
    var createdAt: Date

    init(_ user: User) throws {
        self.id = try user.requireID()
        self.email = user.email
        self.name = user.name
        self.roles = user.roles
        self.createdAt = user.createdAt
    }
}

/// The answer to a login or a refresh.
struct TokenPairResponse: Encodable, Sendable {
    var accessToken: String
    var refreshToken: String
    var tokenType = "Bearer"
    /// Seconds until the access token expires.
    var expiresIn: Int
}

/// An audit log entry as the API shows it.
struct AuditEntryResponse: Encodable, Sendable {
    var id: UUID
    var action: String
    var userId: UUID?
    var actorId: UUID?
    var ip: String?
    var userAgent: String?
    var detail: String?
    var at: Date

    init(_ entry: AuditEntry) throws {
        self.id = try entry.requireID()
        self.action = entry.action
        self.userId = entry.userId
        self.actorId = entry.actorId
        self.ip = entry.ip
        self.userAgent = entry.userAgent
        self.detail = entry.detail
        self.at = entry.at
    }
}

extension Validator {
    /// A new password: at least 10 characters, at most 72 bytes (bcrypt's limit), and no NUL
    /// (bcrypt reads a C string and would ignore everything from the NUL on).
    mutating func newPassword(_ password: String, _ field: String) {
        if password.count < PasswordHasher.minimumCharacters {
            fail(field, "must be at least \(PasswordHasher.minimumCharacters) characters")
        } else if password.utf8.count > PasswordHasher.maximumBytes {
            fail(field, "must be at most \(PasswordHasher.maximumBytes) bytes")
        } else if password.utf8.contains(0) {
            fail(field, "must not contain the NUL character")
        }
    }

    /// A password presented to be checked (login, the current password). No account has one
    /// longer than bcrypt's 72 bytes, so a longer one is refused before it is hashed: a
    /// megabyte of password costs no bcrypt run and no lookup.
    mutating func presentedPassword(_ password: String, _ field: String) {
        expect(password.utf8.count <= PasswordHasher.maximumBytes, field, "must be at most \(PasswordHasher.maximumBytes) bytes")
    }
}

/// `POST /auth/password/forgot`.
struct ForgotPasswordRequest: Decodable, Sendable {
    var email: String
}

/// `POST /auth/password/reset`.
struct ResetPasswordRequest: Decodable, Sendable {
    var token: String
    var newPassword: String
}
