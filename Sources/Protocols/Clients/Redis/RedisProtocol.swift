/// A non-blocking Redis client over one connection (RESP2, or RESP3 with ``RedisOptions/resp3``).
///
/// Contract (everything on the reactor thread):
/// - ``execute(_:)`` sends any command as an argument list and returns a Deferred of its reply; its async form is
///   `try await execute(...).value`. Commands are written at once (pipelined: send many, then read) and replies
///   are matched to them in order. Typed helpers (``get(_:)``, ``hset(_:_:_:)``, …) map the reply.
/// - A server error reply fails only its call, with ``RedisError/server(_:)`` carrying the server's text.
/// - On connect, `HELLO 3` (RESP3), `AUTH`, `CLIENT SETNAME` and `SELECT` are sent first as options ask;
///   ``whenReady()`` fires once they succeeded. If one fails, every pending call fails with that error and the
///   connection is closed. Commands issued before that are queued behind them on the wire.
/// - Pub/sub: ``subscribe(_:)``/``psubscribe(_:)`` fire once every channel is confirmed; messages go to
///   ``onMessage`` and to every live ``messages()`` stream, in arrival order.
/// - Bytes that are not RESP fail every pending call with ``RedisError/protocolViolation(_:)`` and close.
///   When the connection ends every pending call fails with its reason (a ``ConnectionError``), message streams
///   finish, and later calls fail with ``RedisError/notConnected``.
@ReactorActor
public final class RedisProtocol: Protocol, RedisClient {
    public let options: RedisOptions
    /// The time source for ``RedisOptions/timeout`` (the reactor by default; a ``Clock`` in tests).
    public let clock: (any ReactorTime)?
    /// Called with every pub/sub message, before the ``messages()`` streams.
    public var onMessage: ((RedisMessage) -> Void)?
    /// Called with RESP3 push messages that are not pub/sub messages (e.g. client-side caching invalidations).
    public var onPush: (([RedisValue]) -> Void)?
    /// Called once when the connection ends, after pending calls failed (used by ``RedisPool``).
    public var onConnectionLost: ((Failure) -> Void)?
    /// The attributes that came with the last reply (RESP3), if any.
    public private(set) var lastAttributes: [RedisPair]?

    enum Pending {
        case reply(Deferred<RedisValue>)
        /// A bulk string or null (GET, HGET, LPOP…), fired without an intermediate ``RedisValue`` step.
        case optionalBytes(Deferred<ByteBuffer?>)
        /// SET: true on OK, false on null (NX/XX prevented the write).
        case setReply(Deferred<Bool>)
        /// An integer reply (INCR, DEL, HSET…).
        case integer(Deferred<Int64>)
        case handshake(String)
        /// A (p)subscribe/(p)unsubscribe: `remaining` confirmations (nil: until no channel/pattern is left).
        case subscription(kind: String, remaining: Int?, Deferred<Int>)
    }

    // The state touched for every command and reply opts out of dynamic exclusivity checks (each check cost about
    // 80 instructions under callgrind, several per command). Safe: the object is confined to the reactor thread,
    // and no access spans a call that could re-enter (callbacks run only after the state change is complete).
    @exclusivity(unchecked) private var parser = RedisParser()
    @exclusivity(unchecked) private var replies: PipelinedReplyQueue<Pending>
    /// Where commands are encoded before they are handed to the transport (reused: no buffer per command).
    @exclusivity(unchecked) private var outgoing = ByteBuffer(capacity: 256)
    private var readyWaiters: [Deferred<Void>] = []
    private var isReady = false
    /// Channels and patterns currently subscribed, as the server confirmed them.
    public private(set) var channels: Set<String> = []
    public private(set) var patterns: Set<String> = []
    private var streams: [Int: AsyncStream<RedisMessage>.Continuation] = [:]
    private var nextStream = 0

    public init(options: RedisOptions = RedisOptions(), clock: (any ReactorTime)? = nil) {
        let clock = clock ?? ((Reactor.shared as AnyObject) as? any ReactorTime)
        self.options = options
        self.clock = clock
        replies = PipelinedReplyQueue(timeout: options.timeout, clock: clock)
        super.init()
        replies.onTimeout = { [weak self] in self?.timedOut() }
    }

    /// Why the protocol stopped taking calls (nil while it takes them).
    private var closedReason: (any Error)? { replies.closedReason }

    /// Calls waiting for a reply.
    public var pendingCount: Int { replies.count }

    /// In subscribed mode (RESP2 allows only pub/sub commands and PING then).
    public var isSubscribed: Bool { !channels.isEmpty || !patterns.isEmpty }

    // MARK: connection

    public override func connectionMade() {
        var handshake: [[RedisArgument]] = []
        if options.resp3 {
            var hello: [RedisArgument] = ["HELLO", "3"]
            if let p = options.password { hello += ["AUTH", RedisArgument(options.username ?? "default"), RedisArgument(p)] }
            if let n = options.clientName { hello += ["SETNAME", RedisArgument(n)] }
            handshake.append(hello)
        } else {
            if let p = options.password {
                handshake.append(options.username.map { ["AUTH", RedisArgument($0), RedisArgument(p)] } ?? ["AUTH", RedisArgument(p)])
            }
            if let n = options.clientName { handshake.append(["CLIENT", "SETNAME", RedisArgument(n)]) }
        }
        if options.database != 0 { handshake.append(["SELECT", RedisArgument(options.database)]) }
        if handshake.isEmpty {
            markReady()
        } else {
            var out = ByteBuffer()
            for h in handshake {
                RedisArgument.encode(h, into: &out)
                replies.append(.handshake(h[0].description))
            }
            transport?.write(out)
        }
    }

    /// A Deferred that fires once the connect handshake (HELLO/AUTH/SELECT) succeeded, or fails with its error.
    public func whenReady() -> Deferred<Void> {
        if let closedReason { return fail(closedReason) }
        if isReady { return Deferred.succeed(()) }
        let d = Deferred<Void>()
        readyWaiters.append(d)
        return d
    }

    private func markReady() {
        isReady = true
        let w = readyWaiters
        readyWaiters = []
        for d in w { d.callback(()) }
    }

    public override func connectionLost(_ reason: Failure) {
        abandon(reason.error)
        super.connectionLost(reason)
        onConnectionLost?(reason)
    }

    // MARK: sending

    /// Sends one command (any command, as its argument list) and returns its reply.
    public func execute(_ args: [RedisArgument]) -> Deferred<RedisValue> {
        guard !args.isEmpty else { return fail(RedisError.invalidArgument("empty command")) }
        let d = Deferred<RedisValue>()
        send(.reply(d)) { RedisArgument.encode(args, into: &$0) }
        return d
    }

    /// A command whose reply is an integer: one Deferred, fired by the protocol itself (no mapping step).
    public func executeInteger(_ args: [RedisArgument]) -> Deferred<Int64> {
        guard !args.isEmpty else { return fail(RedisError.invalidArgument("empty command")) }
        let d = Deferred<Int64>()
        send(.integer(d)) { RedisArgument.encode(args, into: &$0) }
        return d
    }

    /// A command whose reply is a bulk string or null, fired without an intermediate ``RedisValue`` step.
    public func executeOptionalBytes(_ args: [RedisArgument]) -> Deferred<ByteBuffer?> {
        guard !args.isEmpty else { return fail(RedisError.invalidArgument("empty command")) }
        let d = Deferred<ByteBuffer?>()
        send(.optionalBytes(d)) { RedisArgument.encode(args, into: &$0) }
        return d
    }

    /// GET: the value, or nil when the key does not exist (the command's bytes are prebuilt but the key's).
    public func get(_ key: RedisArgument) -> Deferred<ByteBuffer?> {
        let d = Deferred<ByteBuffer?>()
        send(.optionalBytes(d)) { RedisArgument.encode("*2\r\n$3\r\nGET\r\n", key, into: &$0) }
        return d
    }

    /// SET with optional expiry and NX/XX; fires false when the condition prevented the write.
    public func set(_ key: RedisArgument, _ value: RedisArgument, expire: RedisExpiry?,
                    condition: RedisSetCondition) -> Deferred<Bool> {
        let d = Deferred<Bool>()
        if expire == nil && condition == .always {
            send(.setReply(d)) { RedisArgument.encode("*3\r\n$3\r\nSET\r\n", key, value, into: &$0) }
        } else {
            let args = Self.setArguments(key, value, expire: expire, condition: condition)
            send(.setReply(d)) { RedisArgument.encode(args, into: &$0) }
        }
        return d
    }

    /// Sends one command given as separate arguments.
    public func execute(_ args: RedisArgument...) -> Deferred<RedisValue> { execute(args) }

    /// Sends every command in one write, before reading any reply; the Deferreds fire in order.
    public func pipeline(_ commands: [[RedisArgument]]) -> [Deferred<RedisValue>] {
        var out = ByteBuffer()
        var ds: [Deferred<RedisValue>] = []
        ds.reserveCapacity(commands.count)
        for c in commands {
            guard !c.isEmpty else { return commands.map { _ in fail(RedisError.invalidArgument("empty command")) } }
            RedisArgument.encode(c, into: &out)
            ds.append(Deferred<RedisValue>())
        }
        enqueue(ds.map { .reply($0) }, out)
        return ds
    }

    /// Runs `commands` in a MULTI/EXEC transaction (sent in one write) and fires with EXEC's replies, one per
    /// command (a command that failed at run time gives a ``RedisValue/error(_:)`` element). Fails with
    /// ``RedisError/transactionAborted`` when a WATCHed key changed, or with the server's error (EXECABORT)
    /// when a command was refused while queuing.
    public func transaction(_ commands: [[RedisArgument]]) -> Deferred<[RedisValue]> {
        let all: [[RedisArgument]] = [["MULTI"]] + commands + [["EXEC"]]
        let ds = pipeline(all)
        // MULTI's and QUEUED replies: EXEC reports what matters; swallow their errors so none goes unhandled.
        for d in ds.dropLast() { _ = d.addBoth { _ in () } }
        return ds.last!.addCallback { v in
            if v.isNull { throw RedisError.transactionAborted }
            guard case .array(let a) = v else { throw RedisError.unexpectedReply("EXEC returned \(v)") }
            return a
        }
    }

    /// Encodes one command straight into the reused outgoing buffer, queues its reply slot and hands the bytes to
    /// the transport (which coalesces every write of a reactor pass into one system call).
    @inline(__always)
    func send(_ r: Pending, _ encode: (inout ByteBuffer) -> Void) {
        guard let transport, connected, closedReason == nil else {
            Self.fail(r, closedReason ?? RedisError.notConnected)
            return
        }
        encode(&outgoing)
        replies.append(r)
        transport.write(outgoing)
        outgoing.clear()
    }

    func enqueue(_ rs: [Pending], _ out: ByteBuffer) {
        guard let transport, connected, closedReason == nil else {
            let e = closedReason ?? RedisError.notConnected
            for r in rs { Self.fail(r, e) }
            return
        }
        replies.append(contentsOf: rs)
        transport.write(out)
    }

    private func fail<T>(_ e: any Error) -> Deferred<T> { Deferred<T>.fail(e) }

    private static func fail(_ r: Pending, _ e: any Error) {
        switch r {
        case .reply(let d): d.errback(e)
        case .optionalBytes(let d): d.errback(e)
        case .setReply(let d): d.errback(e)
        case .integer(let d): d.errback(e)
        case .subscription(_, _, let d): d.errback(e)
        case .handshake: break
        }
    }

    // MARK: timeout and failure

    private func timedOut() {
        guard replies.timerFired() else { return }
        abandon(RedisError.timedOut(seconds: options.timeout))
        transport?.loseConnection()
    }

    /// Fails everything pending with `error` and refuses new calls.
    private func abandon(_ error: any Error) {
        let rs = replies.abandon(error)
        for r in rs { Self.fail(r, error) }
        let w = readyWaiters
        readyWaiters = []
        for d in w { d.errback(error) }
        let s = streams
        streams = [:]
        for c in s.values { c.finish() }
    }

    // MARK: receiving

    public override func dataReceived(_ data: ByteBuffer) {
        guard closedReason == nil else { return }
        replies.noteActivity()
        parser.append(data)
        while closedReason == nil {
            let v: RedisValue?
            do { v = try parser.next() } catch {
                abandon(error)
                transport?.loseConnection()
                return
            }
            guard let v else { return }
            if parser.attributes != nil || lastAttributes != nil { lastAttributes = parser.attributes }
            received(v)
        }
    }

    private static let pubsubKinds: Set<String> = ["message", "pmessage", "smessage", "subscribe", "psubscribe",
                                                   "unsubscribe", "punsubscribe", "ssubscribe", "sunsubscribe"]

    private func received(_ v: RedisValue) {
        // Pub/sub traffic: RESP3 push frames, or RESP2 arrays while subscribed (or subscribing).
        if case .push(let items) = v {
            if !pubsub(items) { onPush?(items) }
            return
        }
        if case .array(let items) = v, isSubscribed || headIsSubscription, let k = items.first?.string,
           Self.pubsubKinds.contains(k), items.count >= 3 {
            if pubsub(items) { return }
        }
        guard !replies.isEmpty else {
            abandon(RedisError.protocolViolation("reply \(v) with no command pending"))
            transport?.loseConnection()
            return
        }
        switch replies.popFirst() {
        case .reply(let d):
            if case .error(let s) = v { d.errback(RedisError.server(s)) } else { d.callback(v) }
        case .optionalBytes(let d):
            switch v {
            case .bulkString(let b): d.callback(b)
            case .null: d.callback(nil)
            case .error(let s): d.errback(RedisError.server(s))
            default:
                if let b = v.bytes { d.callback(b) } else { d.errback(RedisError.unexpectedReply("expected a string, got \(v)")) }
            }
        case .setReply(let d):
            switch v {
            case .simpleString: d.callback(true)
            case .null: d.callback(false)
            case .error(let s): d.errback(RedisError.server(s))
            default: d.errback(RedisError.unexpectedReply("expected OK, got \(v)"))
            }
        case .integer(let d):
            switch v {
            case .integer(let i): d.callback(i)
            case .error(let s): d.errback(RedisError.server(s))
            default: d.errback(RedisError.unexpectedReply("expected an integer, got \(v)"))
            }
        case .handshake(let what):
            if case .error(let s) = v {
                let e = RedisError.server("\(what) failed on connect: \(s)")
                abandon(e)
                transport?.loseConnection()
                return
            }
            if !replies.contains(where: { if case .handshake = $0 { return true } else { return false } }) {
                markReady()
            }
        case .subscription(_, _, let d):
            // An error (e.g. NOAUTH) in place of the confirmation.
            if case .error(let s) = v { d.errback(RedisError.server(s)) } else {
                d.errback(RedisError.unexpectedReply("\(v) in place of a subscription confirmation"))
            }
        }
    }

    private var headIsSubscription: Bool {
        guard case .subscription? = replies.first else { return false }
        return true
    }

    /// Handles a pub/sub frame; false when it is not one.
    private func pubsub(_ items: [RedisValue]) -> Bool {
        guard let kind = items.first?.string else { return false }
        switch kind {
        case "message", "smessage":
            guard items.count == 3, let ch = items[1].string, let payload = items[2].bytes else { return false }
            deliver(RedisMessage(channel: ch, payload: payload))
        case "pmessage":
            guard items.count == 4, let pat = items[1].string, let ch = items[2].string, let payload = items[3].bytes else { return false }
            deliver(RedisMessage(channel: ch, pattern: pat, payload: payload))
        case "subscribe", "psubscribe", "unsubscribe", "punsubscribe", "ssubscribe", "sunsubscribe":
            guard items.count == 3 else { return false }
            let name = items[1].string
            switch kind {
            case "subscribe", "ssubscribe": if let name { channels.insert(name) }
            case "psubscribe": if let name { patterns.insert(name) }
            case "unsubscribe", "sunsubscribe": if let name { channels.remove(name) }
            default: if let name { patterns.remove(name) }
            }
            let count = Int(items[2].int ?? 0)
            if case .subscription(let k, let remaining, let d)? = replies.first, k == kind {
                if let remaining {
                    if remaining <= 1 { _ = replies.popFirst(); d.callback(count) } else { replies.first = .subscription(kind: k, remaining: remaining - 1, d) }
                } else {
                    let left = kind == "punsubscribe" ? patterns : channels
                    if left.isEmpty { _ = replies.popFirst(); d.callback(count) }
                }
            }
        default:
            return false
        }
        return true
    }

    private func deliver(_ m: RedisMessage) {
        onMessage?(m)
        for c in streams.values { c.yield(m) }
    }

    // MARK: pub/sub API

    /// Subscribes to channels; fires with the number of subscriptions once every channel is confirmed.
    public func subscribe(_ channels: [String]) -> Deferred<Int> { sub("subscribe", channels) }
    /// Subscribes to glob patterns; messages carry the matching ``RedisMessage/pattern``.
    public func psubscribe(_ patterns: [String]) -> Deferred<Int> { sub("psubscribe", patterns) }
    /// Unsubscribes from channels (all when empty); fires with the subscriptions left.
    public func unsubscribe(_ channels: [String] = []) -> Deferred<Int> { sub("unsubscribe", channels) }
    /// Unsubscribes from patterns (all when empty).
    public func punsubscribe(_ patterns: [String] = []) -> Deferred<Int> { sub("punsubscribe", patterns) }

    private func sub(_ kind: String, _ names: [String]) -> Deferred<Int> {
        if kind.hasSuffix("subscribe") && !kind.contains("un") && names.isEmpty {
            return fail(RedisError.invalidArgument("\(kind.uppercased()) needs at least one channel"))
        }
        var out = ByteBuffer()
        RedisArgument.encode([RedisArgument(kind.uppercased())] + names.map { RedisArgument($0) }, into: &out)
        let d = Deferred<Int>()
        enqueue([.subscription(kind: kind, remaining: names.isEmpty ? nil : names.count, d)], out)
        return d
    }

    /// Every pub/sub message from now on, as an async sequence. It finishes when the connection ends; stop
    /// iterating (or cancel the task) to drop it. Messages are buffered without limit while nobody iterates.
    public func messages() -> AsyncStream<RedisMessage> {
        let (stream, cont) = AsyncStream<RedisMessage>.makeStream()
        if closedReason != nil {
            cont.finish()
            return stream
        }
        let id = nextStream
        nextStream += 1
        streams[id] = cont
        cont.onTermination = { [weak self] _ in
            Task(executorPreference: Reactor.shared) { @ReactorActor in self?.streams[id] = nil }
        }
        return stream
    }
}
