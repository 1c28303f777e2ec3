/// The reactor interfaces endpoints need; ``Reactor`` and `MemoryReactor` both provide them.
public typealias EndpointReactor = ReactorTCP & ReactorUNIX

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
