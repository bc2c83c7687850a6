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
