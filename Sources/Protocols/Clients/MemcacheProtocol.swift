/// A non-blocking memcached client over one connection, speaking the text protocol (Twisted's
/// `twisted.protocols.memcache.MemCacheProtocol`, plus `gets`, `touch` and `cas` ids on multi-get).
///
/// Contract (everything on the reactor thread):
/// - Every call returns a Deferred at once; its async form is `try await call(...).value`. Requests are written
///   immediately (pipelined) and the replies are matched to them in order (FIFO).
/// - Keys are checked before sending (non-empty, at most 250 bytes, no space or control byte); values against
///   ``maxValueLength``. A bad argument fails that call's Deferred with ``MemcacheError/invalidKey(_:)`` or
///   ``MemcacheError/invalidValue(_:)`` naming the problem, and nothing is sent.
/// - A server error reply (`ERROR`, `CLIENT_ERROR`, `SERVER_ERROR`) fails only the call it answers.
/// - If a pending call gets no reply byte for ``timeout`` seconds (default 60, measured on ``clock``), every
///   pending call fails with ``MemcacheError/timedOut(seconds:)`` and the connection is closed.
/// - A reply that is not valid memcached fails every pending call with ``MemcacheError/protocolViolation(_:)``
///   and closes the connection. When the connection ends, every pending call fails with the connection's
///   reason (a ``ConnectionError``); calls made afterwards fail with ``MemcacheError/notConnected``.
@ReactorActor
public final class MemCacheProtocol: LineReceiver {
    /// Longest key memcached accepts.
    public static let maxKeyLength = 250

    /// Seconds a pending call may wait for a reply byte before everything pending fails.
    public var timeout: Double
    /// Values longer than this are refused before sending (memcached's default item size limit is 1 MiB).
    public var maxValueLength = 1024 * 1024
    /// The time source for the timeout (the reactor by default; a ``Clock`` in tests).
    public let clock: (any ReactorTime)?

    private enum Request {
        /// A single-key get: the value (if any) is kept in `singleValue`, no dictionary, no key string.
        case getOne(Deferred<MemcacheValue?>)
        case getMany(Deferred<[String: MemcacheValue]>)
        case store(Deferred<Bool>)
        case arith(Deferred<UInt64?>)
        case delete(Deferred<Bool>)
        case touch(Deferred<Bool>)
        case ok(Deferred<Void>)
        case stats(Deferred<[String: String]>)
        case version(Deferred<String>)

        func fail(_ e: any Error) {
            switch self {
            case .getOne(let d): d.errback(e)
            case .getMany(let d): d.errback(e)
            case .store(let d), .delete(let d), .touch(let d): d.errback(e)
            case .arith(let d): d.errback(e)
            case .ok(let d): d.errback(e)
            case .stats(let d): d.errback(e)
            case .version(let d): d.errback(e)
            }
        }
    }

    // The state touched for every request and reply opts out of dynamic exclusivity checks (each cost about 80
    // instructions under callgrind, several per request). Safe: the object is confined to the reactor thread, and
    // no access spans a call that could re-enter (Deferreds fire only after the state change is complete).
    @exclusivity(unchecked) private var pending = FIFOQueue<Request>()
    private var values: [String: MemcacheValue] = [:]
    @exclusivity(unchecked) private var singleValue: MemcacheValue?
    private var stats: [String: String] = [:]
    /// The value announced by the last VALUE line, while its bytes are awaited (key nil for a single-key get).
    @exclusivity(unchecked) private var reading: (key: String?, flags: UInt32, cas: UInt64?, length: Int)?
    /// Bytes received and not yet parsed.
    @exclusivity(unchecked) private var inbox = ByteBuffer()
    /// How far into `inbox` no line end can start (already scanned).
    @exclusivity(unchecked) private var scanned = 0
    /// Where requests are encoded before they are handed to the transport (reused: no buffer per request).
    @exclusivity(unchecked) private var outgoing = ByteBuffer(capacity: 256)
    @exclusivity(unchecked) private var timer: (any DelayedCall)?
    /// When the last reply byte arrived (or the first request went out after an idle spell), on `clock`. The timer
    /// is not moved on every read (a timer update per read cost a system call): when it fires early it re-arms for
    /// what is left.
    @exclusivity(unchecked) private var lastActivity = 0.0
    @exclusivity(unchecked) private var closedReason: (any Error)?

    /// A protocol with the given per-request timeout, measured on `clock` (nil: the reactor's clock once it
    /// provides one; with no clock at all the timeout is off).
    public init(timeout: Double = 60, clock: (any ReactorTime)? = nil) {
        self.timeout = timeout
        self.clock = clock ?? ((Reactor.shared as AnyObject) as? any ReactorTime)
        super.init()
    }

    /// Number of calls waiting for their reply.
    public var pendingCount: Int { pending.count }

    // MARK: commands

    /// Gets one key; fires with nil when it is not stored.
    public func get(_ key: String, withCAS: Bool = false) -> Deferred<MemcacheValue?> {
        if !Self.isValid(key: key) { return fail(Self.validate(key: key)!) }
        let d = Deferred<MemcacheValue?>()
        send(.getOne(d)) { out in
            out.writeStatic(withCAS ? "gets " : "get ")
            out.writeUTF8(key)
            out.writeCRLF()
        }
        return d
    }

    /// Gets one key with its CAS id (memcached's `gets`).
    public func gets(_ key: String) -> Deferred<MemcacheValue?> { get(key, withCAS: true) }

    /// Gets several keys in one request; the dictionary holds the keys that are stored.
    public func getMultiple(_ keys: [String], withCAS: Bool = false) -> Deferred<[String: MemcacheValue]> {
        for k in keys { if let e = Self.validate(key: k) { return fail(e) } }
        if keys.isEmpty { return Deferred.succeed([:]) }
        let d = Deferred<[String: MemcacheValue]>()
        send(.getMany(d), line: "\(withCAS ? "gets" : "get") \(keys.joined(separator: " "))\r\n")
        return d
    }

    /// Stores unconditionally; fires true when stored.
    public func set(_ key: String, _ value: ByteBuffer, flags: UInt32 = 0, expireTime: Int = 0) -> Deferred<Bool> {
        store("set", key, value, flags, expireTime, cas: nil)
    }
    /// Stores only if the key is absent; fires false when it exists.
    public func add(_ key: String, _ value: ByteBuffer, flags: UInt32 = 0, expireTime: Int = 0) -> Deferred<Bool> {
        store("add", key, value, flags, expireTime, cas: nil)
    }
    /// Stores only if the key exists; fires false when it is absent.
    public func replace(_ key: String, _ value: ByteBuffer, flags: UInt32 = 0, expireTime: Int = 0) -> Deferred<Bool> {
        store("replace", key, value, flags, expireTime, cas: nil)
    }
    /// Appends to an existing value; fires false when the key is absent.
    public func append(_ key: String, _ value: ByteBuffer) -> Deferred<Bool> {
        store("append", key, value, 0, 0, cas: nil)
    }
    /// Prepends to an existing value; fires false when the key is absent.
    public func prepend(_ key: String, _ value: ByteBuffer) -> Deferred<Bool> {
        store("prepend", key, value, 0, 0, cas: nil)
    }
    /// Stores only if the value's CAS id is still `cas`; fires false when it changed (EXISTS) or is gone.
    public func checkAndSet(_ key: String, _ value: ByteBuffer, cas: UInt64, flags: UInt32 = 0, expireTime: Int = 0) -> Deferred<Bool> {
        store("cas", key, value, flags, expireTime, cas: cas)
    }

    /// Adds `delta` to a decimal value; fires with the new value, or nil when the key is absent.
    public func increment(_ key: String, by delta: UInt64 = 1) -> Deferred<UInt64?> { arith("incr", key, delta) }
    /// Subtracts `delta` (memcached stops at 0); fires with the new value, or nil when the key is absent.
    public func decrement(_ key: String, by delta: UInt64 = 1) -> Deferred<UInt64?> { arith("decr", key, delta) }

    /// Deletes a key; fires false when it was absent.
    public func delete(_ key: String) -> Deferred<Bool> {
        if let e = Self.validate(key: key) { return fail(e) }
        let d = Deferred<Bool>()
        send(.delete(d), line: "delete \(key)\r\n")
        return d
    }

    /// Sets a new expiry time on a key; fires false when it is absent.
    public func touch(_ key: String, expireTime: Int) -> Deferred<Bool> {
        if let e = Self.validate(key: key) { return fail(e) }
        let d = Deferred<Bool>()
        send(.touch(d), line: "touch \(key) \(expireTime)\r\n")
        return d
    }

    /// Invalidates every item (after `delay` seconds when given).
    public func flushAll(delay: Int? = nil) -> Deferred<Void> {
        let d = Deferred<Void>()
        send(.ok(d), line: delay.map { "flush_all \($0)\r\n" } ?? "flush_all\r\n")
        return d
    }

    /// Server statistics (`stats`, or `stats <arg>` such as "settings" or "items").
    public func stats(_ arg: String? = nil) -> Deferred<[String: String]> {
        if let arg, let e = Self.validate(key: arg) {
            if case .invalidKey(let s) = e { return fail(MemcacheError.invalidValue("stats argument: \(s)")) }
        }
        let d = Deferred<[String: String]>()
        send(.stats(d), line: arg.map { "stats \($0)\r\n" } ?? "stats\r\n")
        return d
    }

    /// The server's version string.
    public func version() -> Deferred<String> {
        let d = Deferred<String>()
        send(.version(d), line: "version\r\n")
        return d
    }

    // MARK: validation

    /// True when `key` can be sent (the fast check; ``validate(key:)`` says why not).
    static func isValid(key: String) -> Bool {
        let ok = key.utf8.withContiguousStorageIfAvailable { u -> Bool in
            guard !u.isEmpty, u.count <= maxKeyLength else { return false }
            for b in u where b <= 32 || b == 127 { return false }
            return true
        }
        return ok ?? (validate(key: key) == nil)
    }

    /// Why `key` cannot be sent, or nil when it can.
    public static func validate(key: String) -> MemcacheError? {
        let u = key.utf8
        if u.isEmpty { return .invalidKey("the key is empty") }
        if u.count > maxKeyLength {
            return .invalidKey("key of \(u.count) bytes is longer than \(maxKeyLength) bytes: \"\(key.prefix(40))…\"")
        }
        for (i, b) in u.enumerated() where b <= 32 || b == 127 {
            return .invalidKey("key \(String(reflecting: key)) contains \(b == 32 ? "a space" : "control byte 0x\(String(b, radix: 16))") at offset \(i)")
        }
        return nil
    }

    // MARK: sending

    private func fail<T>(_ e: any Error) -> Deferred<T> { Deferred<T>.fail(e) }

    private func store(_ cmd: StaticString, _ key: String, _ value: ByteBuffer, _ flags: UInt32, _ exp: Int, cas: UInt64?) -> Deferred<Bool> {
        if !Self.isValid(key: key) { return fail(Self.validate(key: key)!) }
        if value.readableBytes > maxValueLength {
            return fail(MemcacheError.invalidValue("value of \(value.readableBytes) bytes for key \(String(reflecting: key)) is longer than maxValueLength (\(maxValueLength))"))
        }
        let d = Deferred<Bool>()
        send(.store(d)) { out in
            out.writeStatic(cmd)
            out.writeByte(UInt8(ascii: " "))
            out.writeUTF8(key)
            out.writeByte(UInt8(ascii: " "))
            out.writeDecimal(UInt64(flags))
            out.writeByte(UInt8(ascii: " "))
            out.writeDecimal(Int64(exp))
            out.writeByte(UInt8(ascii: " "))
            out.writeDecimal(UInt64(value.readableBytes))
            if let cas {
                out.writeByte(UInt8(ascii: " "))
                out.writeDecimal(cas)
            }
            out.writeCRLF()
            out.writeBuffer(value)
            out.writeCRLF()
        }
        return d
    }

    private func arith(_ cmd: String, _ key: String, _ delta: UInt64) -> Deferred<UInt64?> {
        if let e = Self.validate(key: key) { return fail(e) }
        let d = Deferred<UInt64?>()
        send(.arith(d), line: "\(cmd) \(key) \(delta)\r\n")
        return d
    }

    private func send(_ r: Request, line: String) { send(r) { $0.writeUTF8(line) } }

    /// Encodes one request straight into the reused outgoing buffer, queues its reply slot and hands the bytes to
    /// the transport (which coalesces every write of a reactor pass into one system call).
    @inline(__always)
    private func send(_ r: Request, _ encode: (inout ByteBuffer) -> Void) {
        guard let transport, connected, closedReason == nil else {
            r.fail(closedReason ?? MemcacheError.notConnected)
            return
        }
        encode(&outgoing)
        pending.append(r)
        if timer == nil {
            if let clock { lastActivity = clock.seconds() }
            armTimer(timeout)
        }
        transport.write(outgoing)
        outgoing.clear()
    }

    // MARK: timeout

    private func armTimer(_ delay: Double) {
        guard let clock, timeout > 0 else { return }
        timer = clock.callLater(delay) { [weak self] in
            ReactorActor.assumeIsolatedIfPossible { self?.timedOut() }
        }
    }

    private func timedOut() {
        timer = nil
        guard pendingCount > 0 else { return }
        if let clock {
            let quiet = clock.seconds() - lastActivity
            if quiet < timeout {
                armTimer(timeout - quiet)
                return
            }
        }
        abandon(MemcacheError.timedOut(seconds: timeout))
        transport?.loseConnection()
    }

    /// Fails every pending call with `error` and refuses new ones.
    private func abandon(_ error: any Error) {
        if closedReason == nil { closedReason = error }
        timer?.cancel()
        timer = nil
        let rs = pending.removeAll()
        values = [:]
        singleValue = nil
        stats = [:]
        reading = nil
        inbox = ByteBuffer()
        stopDispatching()
        for r in rs { r.fail(error) }
    }

    private func violation(_ what: String) {
        abandon(MemcacheError.protocolViolation(what))
        transport?.loseConnection()
    }

    // MARK: receiving

    /// Parses replies straight from the received bytes (lines are found with memchr, the common replies are
    /// matched byte by byte, values are slices of the read); only the bytes of an incomplete reply are kept.
    public override func dataReceived(_ data: ByteBuffer) {
        guard closedReason == nil else { return }
        if timer != nil, let clock { lastActivity = clock.seconds() }
        if inbox.isEmpty { inbox = data } else { inbox.writeBuffer(data) }
        parse()
        if inbox.isEmpty {
            inbox = ByteBuffer()
        } else if inbox.storage === data.storage {
            // Keep the incomplete reply in storage of our own, not in the reactor's read buffer.
            inbox = ByteBuffer(bytes: inbox.readableBytesView)
        }
    }

    private func parse() {
        while closedReason == nil {
            if let r = reading {
                guard inbox.readableBytes >= r.length + 2 else { return }
                guard inbox.getByte(at: r.length) == 13, inbox.getByte(at: r.length + 1) == 10 else {
                    return violation("value of \(r.length) bytes is not followed by \\r\\n")
                }
                let value = inbox.readSlice(length: r.length)!
                inbox.moveReaderIndex(forwardBy: 2)
                reading = nil
                let v = MemcacheValue(flags: r.flags, value: value, cas: r.cas)
                if let key = r.key { values[key] = v } else { singleValue = v }
                continue
            }
            guard let nl = inbox.firstIndex(of: 10, from: scanned) else {
                scanned = inbox.readableBytes
                if scanned > maxLength + 1 { violation("reply line longer than \(maxLength) bytes") }
                return
            }
            guard nl >= 1, inbox.getByte(at: nl - 1) == 13 else {
                // A bare \n belongs to the line; keep looking for \r\n.
                scanned = nl + 1
                continue
            }
            scanned = 0
            if nl - 1 > maxLength { return violation("reply line longer than \(maxLength) bytes") }
            let line = inbox.readSlice(length: nl - 1)!
            inbox.moveReaderIndex(forwardBy: 2)
            reply(line)
        }
    }

    /// One reply line: the frequent ones matched byte by byte, the rest through ``lineReceived(_:)``.
    private func reply(_ line: ByteBuffer) {
        guard let r = pending.first else {
            return violation("unexpected reply \(Self.show(line)) with no request pending")
        }
        switch (r, line.getByte(at: 0)) {
        case (.getOne, UInt8(ascii: "V")) where line.hasPrefix("VALUE "): valueLine(line, single: true)
        case (.getMany, UInt8(ascii: "V")) where line.hasPrefix("VALUE "): valueLine(line, single: false)
        case (.getOne(let d), UInt8(ascii: "E")) where line.equals("END"):
            _ = popHead()
            let v = singleValue
            singleValue = nil
            d.callback(v)
        case (.store(let d), UInt8(ascii: "S")) where line.equals("STORED"):
            _ = popHead()
            d.callback(true)
        default:
            lineReceived(line)
        }
    }

    /// `VALUE <key> <flags> <bytes> [<cas>]`: the value's bytes follow.
    private func valueLine(_ line: ByteBuffer, single: Bool) {
        let n = line.readableBytes
        var pos = 6  // after "VALUE "
        /// The next space-separated field as (offset, length), or nil at the end of the line.
        func field() -> (at: Int, length: Int)? {
            guard pos < n else { return nil }
            let end = line.firstIndex(of: UInt8(ascii: " "), from: pos) ?? n
            defer { pos = end + 1 }
            return (pos, end - pos)
        }
        guard let k = field(), k.length > 0, let f = field(), let l = field(),
              let flags = line.getDecimal(at: f.at, length: f.length), flags <= UInt64(UInt32.max),
              let length = line.getDecimal(at: l.at, length: l.length), length <= 1 << 30 else {
            return violation("malformed VALUE line \(Self.show(line))")
        }
        var cas: UInt64?
        if let c = field() {
            guard let id = line.getDecimal(at: c.at, length: c.length), field() == nil else {
                return violation("malformed CAS id in \(Self.show(line))")
            }
            cas = id
        }
        reading = (single ? nil : line.getString(at: k.at, length: k.length), UInt32(flags), cas, Int(length))
    }

    public override func connectionLost(_ reason: Failure) {
        abandon(reason.error)
        super.connectionLost(reason)
    }

    /// Pops the head request (the reply is complete).
    private func popHead() -> Request {
        let r = pending.popFirst()!
        if pending.isEmpty {
            timer?.cancel()
            timer = nil
        }
        return r
    }

    public override func lineReceived(_ line: ByteBuffer) {
        guard !pending.isEmpty else {
            return violation("unexpected reply \(Self.show(line)) with no request pending")
        }
        let r = pending.first!
        let word = Self.firstWord(line)
        switch word {
        case "VALUE":
            switch r {
            case .getOne: valueLine(line, single: true)
            case .getMany: valueLine(line, single: false)
            default: return violation("VALUE reply to a non-get request")
            }
        case "END":
            switch popHead() {
            case .getOne(let d):
                let v = singleValue
                singleValue = nil
                d.callback(v)
            case .getMany(let d):
                let v = values
                values = [:]
                d.callback(v)
            case .stats(let d):
                let s = stats
                stats = [:]
                d.callback(s)
            default: return violation("END reply to a request that does not expect it")
            }
        case "STAT":
            guard case .stats = r else { return violation("STAT reply to a non-stats request") }
            let parts = String(buffer: line).split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count >= 2 else { return violation("malformed STAT line \(Self.show(line))") }
            stats[String(parts[1])] = parts.count == 3 ? String(parts[2]) : ""
        case "STORED", "NOT_STORED", "EXISTS", "NOT_FOUND", "DELETED", "TOUCHED":
            switch (r, word) {
            case (.store(let d), "STORED"): _ = popHead(); d.callback(true)
            case (.store(let d), "NOT_STORED"), (.store(let d), "EXISTS"), (.store(let d), "NOT_FOUND"): _ = popHead(); d.callback(false)
            case (.delete(let d), "DELETED"): _ = popHead(); d.callback(true)
            case (.delete(let d), "NOT_FOUND"): _ = popHead(); d.callback(false)
            case (.touch(let d), "TOUCHED"): _ = popHead(); d.callback(true)
            case (.touch(let d), "NOT_FOUND"): _ = popHead(); d.callback(false)
            case (.arith(let d), "NOT_FOUND"): _ = popHead(); d.callback(nil)
            default: return violation("reply \(word) does not answer the pending request")
            }
        case "OK":
            guard case .ok(let d) = r else { return violation("OK reply to a request that does not expect it") }
            _ = popHead()
            d.callback(())
        case "VERSION":
            guard case .version(let d) = r else { return violation("VERSION reply to a non-version request") }
            _ = popHead()
            var l = line
            l.moveReaderIndex(forwardBy: 8)
            d.callback(String(buffer: l))
        case "ERROR":
            failHead(MemcacheError.noSuchCommand)
        case "CLIENT_ERROR":
            failHead(MemcacheError.client(Self.rest(line, after: 13)))
        case "SERVER_ERROR":
            failHead(MemcacheError.server(Self.rest(line, after: 13)))
        default:
            if case .arith(let d) = r, !word.isEmpty, let n = UInt64(word.trimmingCharacters(in: " ")) {
                _ = popHead()
                d.callback(n)
            } else {
                violation("unexpected reply \(Self.show(line))")
            }
        }
    }

    private func failHead(_ e: MemcacheError) {
        values = [:]
        singleValue = nil
        stats = [:]
        popHead().fail(e)
    }

    private static func firstWord(_ line: ByteBuffer) -> String {
        let end = line.firstIndex(of: UInt8(ascii: " ")) ?? line.readableBytes
        return line.getString(at: 0, length: end) ?? ""
    }

    private static func rest(_ line: ByteBuffer, after n: Int) -> String {
        guard line.readableBytes > n else { return "" }
        return line.getString(at: n, length: line.readableBytes - n) ?? ""
    }

    private static func show(_ line: ByteBuffer) -> String {
        let s = String(buffer: line)
        return String(reflecting: s.count > 80 ? String(s.prefix(80)) + "…" : s)
    }
}

extension String {
    fileprivate func trimmingCharacters(in c: Character) -> String {
        var s = Substring(self)
        while s.first == c { s = s.dropFirst() }
        while s.last == c { s = s.dropLast() }
        return String(s)
    }
}

extension ReactorActor {
    /// Runs `f` as reactor-isolated code from a timer callback: at once when on the reactor thread (the real
    /// reactor, or a reactor-isolated test driving a ``Clock``); otherwise it is scheduled onto the reactor.
    nonisolated static func assumeIsolatedIfPossible(_ f: @escaping @ReactorActor () -> Void) {
        if Reactor.shared.isInReactorThread {
            ReactorActor.assumeIsolated { f() }
        } else {
            let s = UnsafeSendableBox(f)
            Task(executorPreference: Reactor.shared) { @ReactorActor in s.value() }
        }
    }
}

/// Carries a reactor-isolated closure into a Task that runs it on the reactor. Safe: the closure is only ever
/// run on the reactor actor (the Task is `@ReactorActor`), never concurrently.
struct UnsafeSendableBox<T>: @unchecked Sendable {
    let value: T
    init(_ v: T) { value = v }
}
