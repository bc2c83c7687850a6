import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// A scripted SMTP server in the test process, for what a real one will not do on demand:
/// defer the first transactions (451), advertise a small SIZE, offer only AUTH LOGIN, hang. It
/// speaks just enough of RFC 5321 for our client: EHLO, AUTH LOGIN, MAIL, RCPT, DATA (unstuffing
/// dots), RSET, QUIT.
final class FakeSMTPServer: Sendable {
    struct Script: Sendable {
        /// Transactions answered `451` at MAIL FROM before one is accepted.
        var deferredTransactions = 0
        /// Advertised with SIZE, and enforced.
        var maximumSize = 10 << 20
        /// When set, only AUTH LOGIN is offered, and required, with this user and password.
        var login: (user: String, password: String)?
        /// Never answers EHLO: a server that hangs.
        var silent = false
    }

    /// What the server saw: MAIL FROM attempts, and the messages it accepted (dots unstuffed).
    struct Record: Sendable {
        var attempts = 0
        var messages: [String] = []
        /// The user that logged in last.
        var loggedIn: String?
    }

    /// The script and the record, shared by the server's sessions.
    final class State: Sendable {
        let script: Mutex<Script>
        let record = Mutex(Record())

        init(_ script: Script) {
            self.script = Mutex(script)
        }
    }

    private let state: State
    private let channel: any Channel

    var port: Int { channel.localAddress!.port! }
    var record: Record { state.record.withLock { $0 } }

    init(_ script: Script) async throws {
        let state = State(script)
        self.state = state
        self.channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Session(state: state))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
    }

    func close() async {
        try? await channel.close()
    }

    private final class Session: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer

        let state: State
        private var pending = ByteBuffer()
        private var data: [String]?
        /// The user given so far in an AUTH LOGIN exchange; `""` while waiting for it.
        private var loginUser: String?
        private var authenticated = false

        init(state: State) {
            self.state = state
        }

        func channelActive(context: ChannelHandlerContext) {
            reply("220 fake ESMTP", context)
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var bytes = unwrapInboundIn(data)
            pending.writeBuffer(&bytes)
            while let end = pending.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) {
                var line = pending.readString(length: end - pending.readerIndex + 1)!
                line = String(line.dropLast())  // "\r\n" is one Character
                handle(line, context)
            }
        }

        private func handle(_ line: String, _ context: ChannelHandlerContext) {
            if var lines = data {
                if line == "." {
                    data = nil
                    state.record.withLock { $0.messages.append(lines.joined(separator: "\r\n")) }
                    reply("250 queued", context)
                } else {
                    lines.append(line.hasPrefix(".") ? String(line.dropFirst()) : line)
                    data = lines
                }
                return
            }
            let script = state.script.withLock { $0 }
            if let user = loginUser, let login = script.login {
                let decoded = Data(base64Encoded: line).map { String(decoding: $0, as: UTF8.self) } ?? ""
                if user.isEmpty {
                    loginUser = decoded
                    reply("334 UGFzc3dvcmQ6", context)
                } else {
                    loginUser = nil
                    authenticated = user == login.user && decoded == login.password
                    if authenticated { state.record.withLock { $0.loggedIn = user } }
                    reply(authenticated ? "235 2.7.0 accepted" : "535 5.7.8 bad credentials", context)
                }
                return
            }
            let verb = line.split(separator: " ").first.map { $0.uppercased() } ?? ""
            switch verb {
            case "EHLO":
                if script.silent { return }
                reply("250-fake\r\n250-SIZE \(script.maximumSize)\r\n" + (script.login == nil ? "" : "250-AUTH LOGIN\r\n") + "250 8BITMIME", context)
            case "AUTH" where line.uppercased() == "AUTH LOGIN" && script.login != nil:
                loginUser = ""
                reply("334 VXNlcm5hbWU6", context)
            case "MAIL" where script.login != nil && !authenticated:
                reply("530 5.7.0 authentication required", context)
            case "MAIL":
                state.record.withLock { $0.attempts += 1 }
                let deferred = state.script.withLock { script -> Bool in
                    guard script.deferredTransactions > 0 else { return false }
                    script.deferredTransactions -= 1
                    return true
                }
                let size = line.uppercased().components(separatedBy: "SIZE=").dropFirst().first.flatMap { Int($0) } ?? 0
                if deferred {
                    reply("451 4.3.0 try again later", context)
                } else if size > state.script.withLock({ $0.maximumSize }) {
                    reply("552 5.3.4 too big", context)
                } else {
                    reply("250 OK", context)
                }
            case "RCPT": reply("250 OK", context)
            case "DATA":
                data = []
                reply("354 go ahead", context)
            case "RSET", "NOOP": reply("250 OK", context)
            case "QUIT":
                reply("221 bye", context)
                context.close(promise: nil)
            default: reply("502 5.5.2 not implemented: \(line.prefix(40))", context)
            }
        }

        private func reply(_ text: String, _ context: ChannelHandlerContext) {
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: text + "\r\n")), promise: nil)
        }
    }
}
