/// A non-blocking memcached client over one connection, speaking the text protocol (Twisted's
/// `twisted.protocols.memcache.MemCacheProtocol`, plus `gets`, `touch` and `cas` ids on multi-get).
///
/// Contract (everything on the reactor thread):
/// - Every call returns a Deferred at once; its async form is `try await call(...).value`. Requests are written
///   immediately (pipelined) and the replies are matched to them in order (FIFO).
/// - Keys are checked before sending (non-empty, at most 250 bytes, no space or control byte); values against
///   ``maxValueLength``. A bad argument fails that call's Deferred with ``MemCacheError/invalidKey(_:)`` or
///   ``MemCacheError/invalidValue(_:)`` naming the problem, and nothing is sent.
/// - A server error reply (`ERROR`, `CLIENT_ERROR`, `SERVER_ERROR`) fails only the call it answers.
/// - If a pending call gets no reply byte for ``timeout`` seconds (default 60, measured on ``clock``), every
///   pending call fails with ``MemCacheError/timedOut(seconds:)`` and the connection is closed.
/// - A reply that is not valid memcached fails every pending call with ``MemCacheError/protocolViolation(_:)``
///   and closes the connection. When the connection ends, every pending call fails with the connection's
///   reason (a ``ConnectionError``); calls made afterwards fail with ``MemCacheError/notConnected``.
///
/// Structure: the bytes go through a ``MemCacheParser`` (pure: bytes in, ``MemCacheReply`` values out) and every
/// reply takes one path, `received(_:)`, which matches it to the oldest call in a ``PipelinedReplyQueue`` (shared
/// with ``RedisProtocol``: FIFO, timeout, abandon). It is a ``LineReceiver`` for Twisted's sake and for
/// ``LineReceiver/maxLength`` (the longest reply line accepted); it does not dispatch through `lineReceived`.
@ReactorActor
public final class MemCacheProtocol: LineReceiver {
    /// Longest key memcached accepts.
    public static let maxKeyLength = 250

    /// Seconds a pending call may wait for a reply byte before everything pending fails.
    public var timeout: Double {
        get { replies.timeout }
        set { replies.timeout = newValue }
    }
    /// Values longer than this are refused before sending (memcached's default item size limit is 1 MiB).
    public var maxValueLength = 1024 * 1024
    /// The time source for the timeout (the reactor by default; a ``Clock`` in tests).
    public let clock: (any ReactorTime)?

    private enum Request {
        /// A single-key get: the value (if any) is kept in `singleValue`, no dictionary, no key string.
        case getOne(Deferred<MemCacheValue?>)
        case getMany(Deferred<[String: MemCacheValue]>)
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
    @exclusivity(unchecked) private var replies: PipelinedReplyQueue<Request>
    @exclusivity(unchecked) private var parser = MemCacheParser()
    private var values: [String: MemCacheValue] = [:]
    @exclusivity(unchecked) private var singleValue: MemCacheValue?
    private var stats: [String: String] = [:]
    /// Where requests are encoded before they are handed to the transport (reused: no buffer per request).
    @exclusivity(unchecked) private var outgoing = ByteBuffer(capacity: 256)

    /// A protocol with the given per-request timeout, measured on `clock` (nil: the reactor's clock once it
    /// provides one; with no clock at all the timeout is off).
    public init(timeout: Double = 60, clock: (any ReactorTime)? = nil) {
        let clock = clock ?? ((Reactor.shared as AnyObject) as? any ReactorTime)
        self.clock = clock
        replies = PipelinedReplyQueue(timeout: timeout, clock: clock)
        super.init()
        replies.onTimeout = { [weak self] in self?.timedOut() }
    }

    /// Number of calls waiting for their reply.
    public var pendingCount: Int { replies.count }

    // MARK: commands

    /// Gets one key; fires with nil when it is not stored.
    public func get(_ key: String, withCAS: Bool = false) -> Deferred<MemCacheValue?> {
        if !Self.isValid(key: key) { return fail(Self.validate(key: key)!) }
        let d = Deferred<MemCacheValue?>()
        send(.getOne(d)) { out in
            out.writeStatic(withCAS ? "gets " : "get ")
            out.writeUTF8(key)
            out.writeCRLF()
        }
        return d
    }

    /// Gets one key with its CAS id (memcached's `gets`).
    public func gets(_ key: String) -> Deferred<MemCacheValue?> { get(key, withCAS: true) }

    /// Gets several keys in one request; the dictionary holds the keys that are stored.
    public func getMultiple(_ keys: [String], withCAS: Bool = false) -> Deferred<[String: MemCacheValue]> {
        for k in keys { if let e = Self.validate(key: k) { return fail(e) } }
        if keys.isEmpty { return Deferred.succeed([:]) }
        let d = Deferred<[String: MemCacheValue]>()
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
            if case .invalidKey(let s) = e { return fail(MemCacheError.invalidValue("stats argument: \(s)")) }
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
    public static func validate(key: String) -> MemCacheError? {
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
            return fail(MemCacheError.invalidValue("value of \(value.readableBytes) bytes for key \(String(reflecting: key)) is longer than maxValueLength (\(maxValueLength))"))
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
            out.writeImmutableBuffer(value)
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
        guard let transport, connected, replies.closedReason == nil else {
            r.fail(replies.closedReason ?? MemCacheError.notConnected)
            return
        }
        encode(&outgoing)
        replies.append(r)
        transport.write(outgoing)
        outgoing.clear()
    }

    // MARK: timeout and failure

    private func timedOut() {
        guard replies.timerFired() else { return }
        abandon(MemCacheError.timedOut(seconds: timeout))
        transport?.loseConnection()
    }

    /// Fails every pending call with `error` and refuses new ones.
    private func abandon(_ error: any Error) {
        let rs = replies.abandon(error)
        values = [:]
        singleValue = nil
        stats = [:]
        parser = MemCacheParser(maxLineLength: maxLength)
        stopDispatching()
        for r in rs { r.fail(error) }
    }

    private func violation(_ what: String) {
        abandon(MemCacheError.protocolViolation(what))
        transport?.loseConnection()
    }

    // MARK: receiving

    /// Feeds the received bytes to the ``MemCacheParser`` (which reads them in place: values are slices of the
    /// read) and matches each reply to the oldest pending call; only the bytes of an incomplete reply are kept.
    public override func dataReceived(_ data: ByteBuffer) {
        guard replies.closedReason == nil else { return }
        replies.noteActivity()
        parser.maxLineLength = maxLength
        parser.append(data)
        while replies.closedReason == nil {
            let reply: MemCacheReply?
            do { reply = try parser.next() } catch {
                abandon(error)   // a protocolViolation naming what is wrong
                transport?.loseConnection()
                return
            }
            guard let reply else { break }
            received(reply)
        }
        parser.keepRemainder()
    }

    /// The one reply path: `reply` answers the oldest pending call (or is a part of its answer).
    private func received(_ reply: MemCacheReply) {
        guard let r = replies.first else {
            return violation("unexpected reply \(String(reflecting: reply.description)) with no request pending")
        }
        switch (reply, r) {
        case (.value(_, let flags, let data, let cas), .getOne):
            singleValue = MemCacheValue(flags: flags, value: data, cas: cas)
        case (.value(let key, let flags, let data, let cas), .getMany):
            values[String(buffer: key)] = MemCacheValue(flags: flags, value: data, cas: cas)
        case (.value, _):
            violation("VALUE reply to a non-get request")
        case (.end, .getOne(let d)):
            _ = replies.popFirst()
            let v = singleValue
            singleValue = nil
            d.callback(v)
        case (.end, .getMany(let d)):
            _ = replies.popFirst()
            let v = values
            values = [:]
            d.callback(v)
        case (.end, .stats(let d)):
            _ = replies.popFirst()
            let s = stats
            stats = [:]
            d.callback(s)
        case (.end, _):
            violation("END reply to a request that does not expect it")
        case (.stat(let name, let value), .stats):
            stats[name] = value
        case (.stat, _):
            violation("STAT reply to a non-stats request")
        case (.stored, .store(let d)), (.deleted, .delete(let d)), (.touched, .touch(let d)):
            _ = replies.popFirst()
            d.callback(true)
        case (.notStored, .store(let d)), (.exists, .store(let d)), (.notFound, .store(let d)),
             (.notFound, .delete(let d)), (.notFound, .touch(let d)):
            _ = replies.popFirst()
            d.callback(false)
        case (.notFound, .arith(let d)):
            _ = replies.popFirst()
            d.callback(nil)
        case (.number(let n), .arith(let d)):
            _ = replies.popFirst()
            d.callback(n)
        case (.ok, .ok(let d)):
            _ = replies.popFirst()
            d.callback(())
        case (.ok, _):
            violation("OK reply to a request that does not expect it")
        case (.version(let v), .version(let d)):
            _ = replies.popFirst()
            d.callback(v)
        case (.version, _):
            violation("VERSION reply to a non-version request")
        case (.error, _):
            failHead(MemCacheError.noSuchCommand)
        case (.clientError(let s), _):
            failHead(MemCacheError.client(s))
        case (.serverError(let s), _):
            failHead(MemCacheError.server(s))
        case (.number, _):
            violation("unexpected reply \(String(reflecting: reply.description))")
        case (.stored, _), (.notStored, _), (.exists, _), (.notFound, _), (.deleted, _), (.touched, _):
            violation("reply \(reply) does not answer the pending request")
        }
    }

    public override func connectionLost(_ reason: Failure) {
        abandon(reason.error)
        super.connectionLost(reason)
    }

    private func failHead(_ e: MemCacheError) {
        values = [:]
        singleValue = nil
        stats = [:]
        replies.popFirst().fail(e)
    }
}
