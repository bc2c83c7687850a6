import Hummingbird
import HummingbirdCore

extension HTTPServerBuilder {
    /// HTTP/1.1 as every Comptoir server speaks it: Hummingbird's, with a ``LingeringCloseHandler``
    /// so a client still sending a body when the server answers early and closes receives the answer.
    public static func http1WithLingeringClose(limits: LingeringCloseHandler.Limits = .init()) -> HTTPServerBuilder {
        .http1(configuration: .init(additionalChannelHandlers: [LingeringCloseHandler(limits: limits)]))
    }
}
