import Foundation
import NIOPosix

/// The embedded mailer: each message becomes an `.eml` file in a folder (open it with any mail client).
public struct FileMailer: Mailer {
    public let directory: URL
    private let threadPool: NIOThreadPool

    public init(directory: URL, threadPool: NIOThreadPool = .singleton) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        self.directory = directory
        self.threadPool = threadPool
    }

    public func send(_ message: MailMessage) async throws {
        let stamp = Int(Date().timeIntervalSince1970 * 1000)
        let file = directory.appendingPathComponent("\(stamp)-\(UUID().uuidString.lowercased()).eml")
        let contents = Data(message.rfc5322().utf8)
        try await threadPool.runIfActive { try contents.write(to: file, options: .atomic) }
    }

    public func ping() async throws {
        guard FileManager.default.isWritableFile(atPath: directory.path) else { throw CocoaError(.fileWriteNoPermission) }
    }
}
