import CTwisterShim
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Reactor {
    /// Resolves `host` with getaddrinfo on the thread pool, so the loop never blocks (Twisted's `resolve`).
    /// IP literals are answered at once without the pool. The Deferred fires on the reactor thread with the
    /// addresses (port 0) in the resolver's order, or fails with ``ConnectionError/dnsLookupFailed(_:)``.
    @ReactorActor
    public func resolve(_ host: String) -> Deferred<[Address]> {
        if let literal = SocketCalls.isIPLiteral(host) { return Deferred.succeed([literal]) }
        return deferToThread { () throws -> [Address] in try Self.getAddresses(host) }
    }

    /// Blocking getaddrinfo; call on a pool thread.
    static func getAddresses(_ host: String) throws -> [Address] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = SocketCalls.streamType
        var res: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, nil, &hints, &res)
        guard rc == 0, let first = res else {
            throw ConnectionError.dnsLookupFailed("\(host): \(String(cString: gai_strerror(rc)))")
        }
        defer { freeaddrinfo(first) }
        var out: [Address] = []
        var p: UnsafeMutablePointer<addrinfo>? = first
        while let ai = p {
            if let sa = ai.pointee.ai_addr {
                var s = SocketAddress()
                withUnsafeMutableBytes(of: &s.storage) { dst in
                    dst.copyMemory(from: UnsafeRawBufferPointer(start: sa, count: Int(ai.pointee.ai_addrlen)))
                }
                s.length = ai.pointee.ai_addrlen
                if let a = s.address, !out.contains(a) { out.append(a) }
            }
            p = ai.pointee.ai_next
        }
        if out.isEmpty { throw ConnectionError.dnsLookupFailed("\(host): no addresses") }
        return out
    }
}
