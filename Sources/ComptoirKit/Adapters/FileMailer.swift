import Foundation
import NIOPosix

/// The embedded mailer: each message becomes an `.eml` file in a folder (open it with any mail client),
/// one file per `Message-ID`.
public struct FileMailer: Mailer {
    public let directory: URL
    private let threadPool: NIOThreadPool

    public init(directory: URL, threadPool: NIOThreadPool = .singleton) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        self.directory = directory
        self.threadPool = threadPool
    }

    public func send(_ message: MailMessage) async throws {
        let file = directory.appendingPathComponent(Self.fileName(for: message))
        let contents = Data(message.rfc5322().utf8)
        try await threadPool.runIfActive { try contents.write(to: file, options: .atomic) }
    }

    /// Named after the `Message-ID`, so handing the same message over twice (a retry after a
    /// crash) rewrites one file instead of delivering a second copy.
    static func fileName(for message: MailMessage) -> String {
        let id = message.messageID.trimmingCharacters(in: CharacterSet(charactersIn: "<>"))
        let safe = String(id.unicodeScalars.map { CharacterSet.alphanumerics.contains($0) || $0 == "-" || $0 == "." ? Character($0) : "_" })
        return "\(safe).eml"
    }

    public func ping() async throws {
        guard FileManager.default.isWritableFile(atPath: directory.path) else { throw CocoaError(.fileWriteNoPermission) }
    }
}
