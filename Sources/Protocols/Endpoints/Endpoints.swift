/// The reactor interfaces endpoints need; ``Reactor`` and `MemoryReactor` both provide them.
public typealias EndpointReactor = ReactorTCP & ReactorUNIX

/// Listens on TCP over IPv4 or IPv6 (Twisted's `TCP4ServerEndpoint`/`TCP6ServerEndpoint`).
@ReactorActor
public final class TCPServerEndpoint: ServerEndpoint {
    public let reactor: any EndpointReactor
    public let port: Int
    public let interface: String
    public let backlog: Int
    public let reusePort: Bool
    public init(reactor: any EndpointReactor, port: Int, interface: String = "", backlog: Int = 50, reusePort: Bool = false) {
        self.reactor = reactor; self.port = port; self.interface = interface; self.backlog = backlog; self.reusePort = reusePort
    }
    public func listen(_ factory: Factory) -> Deferred<any ListeningPort> {
        do { return Deferred.succeed(try reactor.listenTCP(port, factory, backlog: backlog, interface: interface, reusePort: reusePort)) }
        catch { return Deferred.fail(error) }
    }
}

/// Listens on a UNIX socket file (Twisted's `UNIXServerEndpoint`).
@ReactorActor
public final class UNIXServerEndpoint: ServerEndpoint {
    public let reactor: any EndpointReactor
    public let path: String
    public let mode: Int
    public let backlog: Int
    public init(reactor: any EndpointReactor, path: String, mode: Int = 0o666, backlog: Int = 50) {
        self.reactor = reactor; self.path = path; self.mode = mode; self.backlog = backlog
    }
    public func listen(_ factory: Factory) -> Deferred<any ListeningPort> {
        do { return Deferred.succeed(try reactor.listenUNIX(path, factory, backlog: backlog, mode: mode)) }
        catch { return Deferred.fail(error) }
    }
}

/// Connects over TCP to a host name or address (Twisted's `TCP4ClientEndpoint`/`HostnameEndpoint`).
@ReactorActor
public final class TCPClientEndpoint: ClientEndpoint {
    public let reactor: any EndpointReactor
    public let host: String
    public let port: Int
    public let timeout: Double
    public let bindAddress: Address?
    public init(reactor: any EndpointReactor, host: String, port: Int, timeout: Double = 30, bindAddress: Address? = nil) {
        self.reactor = reactor; self.host = host; self.port = port; self.timeout = timeout; self.bindAddress = bindAddress
    }
    public func connect(_ factory: Factory) -> Deferred<Protocol> {
        EndpointConnection.start(factory) { [reactor, host, port, timeout, bindAddress] f in
            reactor.connectTCP(host: host, port: port, factory: f, timeout: timeout, bindAddress: bindAddress)
        }
    }
}

/// Connects to a UNIX socket file (Twisted's `UNIXClientEndpoint`).
@ReactorActor
public final class UNIXClientEndpoint: ClientEndpoint {
    public let reactor: any EndpointReactor
    public let path: String
    public let timeout: Double
    public init(reactor: any EndpointReactor, path: String, timeout: Double = 30) {
        self.reactor = reactor; self.path = path; self.timeout = timeout
    }
    public func connect(_ factory: Factory) -> Deferred<Protocol> {
        EndpointConnection.start(factory) { [reactor, path, timeout] f in reactor.connectUNIX(path, f, timeout: timeout) }
    }
}

/// Connects `proto` through `endpoint` without writing a factory (Twisted's `connectProtocol`).
@ReactorActor
public func connectProtocol<P: Protocol>(_ endpoint: any ClientEndpoint, _ proto: P) -> Deferred<P> {
    var used = false
    let factory = Factory {
        precondition(!used, "connectProtocol's factory builds one protocol")
        used = true
        return proto
    }
    return endpoint.connect(factory).addCallback { _ in proto }
}

/// Parses a server endpoint description (Twisted's `serverFromString`):
/// - `tcp:PORT[:interface=ADDR][:backlog=N][:reusePort=1]` (IPv4; `port=` may name the port),
/// - `tcp6:PORT[:interface=::][:backlog=N][:reusePort=1]`,
/// - `unix:PATH[:mode=666 (octal)][:backlog=N][:lockfile=0]`.
/// Type names are lowercase. Throws an ``EndpointError`` naming the bad field.
@ReactorActor
public func serverFromString(_ reactor: any EndpointReactor, _ description: String) throws(EndpointError) -> any ServerEndpoint {
    var d = try EndpointDescription(description)
    switch d.type {
    case "tcp", "tcp6":
        let port = try d.port(position: 0)!
        let v6 = d.type == "tcp6"
        let interface = try d.value("interface") ?? (v6 ? "::" : "")
        if !interface.isEmpty {
            let ok = v6 ? SocketAddress(.ipv6(host: interface, port: 0)) != nil : SocketAddress(.ipv4(host: interface, port: 0)) != nil
            if !ok { throw EndpointError(field: "interface", "not an IPv\(v6 ? 6 : 4) address: \"\(interface)\"") }
        }
        let backlog = try d.int("backlog", range: 0...65535) ?? 50
        let reusePort = try d.bool("reusePort") ?? false
        try d.checkAllUsed(maxPositional: 1)
        return TCPServerEndpoint(reactor: reactor, port: port, interface: interface, backlog: backlog, reusePort: reusePort)
    case "unix":
        let path = try d.required("address", position: 0)
        let mode = try d.int("mode", radix: 8, range: 0...0o7777) ?? 0o666
        let backlog = try d.int("backlog", range: 0...65535) ?? 50
        _ = try d.bool("lockfile")
        try d.checkAllUsed(maxPositional: 1)
        return UNIXServerEndpoint(reactor: reactor, path: path, mode: mode, backlog: backlog)
    default:
        throw EndpointError(field: "type", "unknown server endpoint type \"\(d.type)\" (known: tcp, tcp6, unix)")
    }
}

/// Parses a client endpoint description (Twisted's `clientFromString`):
/// - `tcp:HOST:PORT` or `tcp:host=HOST:port=PORT`, with `timeout=SECONDS` and `bindAddress=ADDR`,
/// - `unix:PATH` or `unix:path=PATH`, with `timeout=SECONDS` (and `lockfile`, accepted and ignored).
/// Type names are case-insensitive. Throws an ``EndpointError`` naming the bad field.
@ReactorActor
public func clientFromString(_ reactor: any EndpointReactor, _ description: String) throws(EndpointError) -> any ClientEndpoint {
    var d = try EndpointDescription(description)
    switch d.type.lowercased() {
    case "tcp", "tcp6":
        let host = try d.required("host", position: 0)
        let port = try d.port(position: 1)!
        let timeout = try d.double("timeout") ?? 30
        var bind: Address?
        if let b = try d.value("bindAddress") {
            guard let lit = SocketCalls.isIPLiteral(b) else { throw EndpointError(field: "bindAddress", "not an IP address: \"\(b)\"") }
            bind = lit
        }
        try d.checkAllUsed(maxPositional: 2)
        return TCPClientEndpoint(reactor: reactor, host: host, port: port, timeout: timeout, bindAddress: bind)
    case "unix":
        let path = try d.required("path", position: 0)
        let timeout = try d.double("timeout") ?? 30
        _ = try d.bool("lockfile")
        _ = try d.bool("checkPID")
        try d.checkAllUsed(maxPositional: 1)
        return UNIXClientEndpoint(reactor: reactor, path: path, timeout: timeout)
    default:
        throw EndpointError(field: "type", "unknown client endpoint type \"\(d.type)\" (known: tcp, unix)")
    }
}
