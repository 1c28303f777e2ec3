/// TCP-specific settings (Twisted's `ITCPTransport`).
@ReactorActor
public protocol TCPTransport: HalfCloseableTransport {
    var noDelay: Bool { get set }
    var keepAlive: Bool { get set }
}
