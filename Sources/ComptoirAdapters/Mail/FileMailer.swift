import ComptoirKit
import Foundation
import NIOPosix

/// The embedded mailer: each message becomes an `.eml` file in a folder (open it with any mail client),
/// one file per `Message-ID`.
///
/// A message is written to a hidden `.partial` file first and renamed into place, so a reader of
/// the folder never sees half a mail, and a process killed mid-write leaves only a partial file
/// that the next start removes (the mail itself is sent again from its queue).
public struct FileMailer: Mailer {
    public let directory: URL
    private let threadPool: NIOThreadPool

    public var queuesWhileUnavailable: Bool { false }

    public init(directory: URL, threadPool: NIOThreadPool = .singleton) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        self.directory = directory
        self.threadPool = threadPool
        try removePartialFiles()
    }

    public func send(_ message: MailMessage) async throws {
        let name = Self.fileName(for: message)
        let file = directory.appendingPathComponent(name)
        let partial = directory.appendingPathComponent(".\(name).\(UUID().uuidString)\(Self.partialSuffix)")
        let contents = Data(message.rfc5322().utf8)
        try await threadPool.runIfActive {
            try contents.write(to: partial)
            guard rename(partial.path, file.path) == 0 else {
                let code = errno
                try? FileManager.default.removeItem(at: partial)
                throw CocoaError(.fileWriteUnknown, userInfo: [NSUnderlyingErrorKey: POSIXError(POSIXErrorCode(rawValue: code) ?? .EIO)])
            }
        }
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

    private static let partialSuffix = ".partial"

    private func removePartialFiles() throws {
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path)
        where name.hasPrefix(".") && name.hasSuffix(Self.partialSuffix) {
            try? FileManager.default.removeItem(at: directory.appendingPathComponent(name))
        }
    }
}
