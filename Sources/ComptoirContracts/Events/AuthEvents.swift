import Foundation

/// `auth.user.registered`: a new account exists; newsletters sends the welcome mail.
public struct UserRegistered: DomainEvent, Equatable {
    public static let type = "auth.user.registered"
    public var userId: UUID
    public var email: String
    public var name: String

    public init(userId: UUID, email: String, name: String) {
        self.userId = userId
        self.email = email
        self.name = name
    }
}

/// `auth.user.locked`: an account reached the failed-login limit and is locked for a while.
public struct UserLocked: DomainEvent, Equatable {
    public static let type = "auth.user.locked"
    public var userId: UUID
    public var email: String
    public var lockedUntil: Date

    public init(userId: UUID, email: String, lockedUntil: Date) {
        self.userId = userId
        self.email = email
        self.lockedUntil = lockedUntil
    }
}

/// `auth.password.reset_requested`: someone asked for a password reset link for an existing
/// account; newsletters mails it. The token is the link's secret (auth keeps only its digest),
/// so the mail log shows this mail's body redacted.
public struct PasswordResetRequested: DomainEvent, Equatable {
    public static let type = "auth.password.reset_requested"
    public var userId: UUID
    public var email: String
    public var name: String
    public var token: String
    public var expiresAt: Date

    public init(userId: UUID, email: String, name: String, token: String, expiresAt: Date) {
        self.userId = userId
        self.email = email
        self.name = name
        self.token = token
        self.expiresAt = expiresAt
    }
}
