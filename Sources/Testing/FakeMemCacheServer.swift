/// An in-memory memcached speaking the text protocol, for tests (connect it to a client with ``LoopbackPump``).
///
/// Contract: implements get/gets, set/add/replace/append/prepend/cas, incr/decr, delete, touch, flush_all,
/// stats, version and `noreply`, on a dictionary shared by every connection of the same ``FakeMemCacheStore``.
/// Expiry times are recorded but never expire. Error paths a real server will not produce on demand are
/// scripted: ``replyOverride`` answers a command line with raw bytes of your choosing (garbage, a reply cut
/// short, then ``closeAfterReply``), and ``silent`` swallows commands (for timeout tests).
@ReactorActor
public final class FakeMemCacheServer: LineReceiver {
    public let store: FakeMemCacheStore
    /// When set and returning bytes for a command line, those bytes are sent instead of the real reply.
    public var replyOverride: ((String) -> ByteBuffer?)?
    /// Close the connection after the next reply.
    public var closeAfterReply = false
    /// Read commands but never answer.
    public var silent = false
    /// Every command line received, in order.
    public private(set) var commands: [String] = []

    private var pendingStore: (cmd: String, key: String, flags: UInt32, exp: Int, length: Int, cas: UInt64?, noreply: Bool)?
    private var data = ByteBuffer()

    public init(store: FakeMemCacheStore = FakeMemCacheStore()) {
        self.store = store
        super.init()
        maxLength = 4096
    }

    private func reply(_ s: String) { reply(ByteBuffer(string: s)) }
    private func reply(_ b: ByteBuffer) {
        transport?.write(b)
        if closeAfterReply { transport?.loseConnection() }
    }

    public override func lineReceived(_ line: ByteBuffer) {
        let text = String(buffer: line)
        commands.append(text)
        if silent { return }
        if let o = replyOverride?(text) {
            // Still swallow a storage command's data block.
            if let s = storageHeader(text) { pendingStore = s; pendingStore!.noreply = true; setRawMode() }
            reply(o)
            return
        }
        let parts = text.split(separator: " ").map(String.init)
        guard let cmd = parts.first else { return reply("ERROR\r\n") }
        switch cmd {
        case "get", "gets":
            var out = ByteBuffer()
            for k in parts.dropFirst() {
                if let item = store.items[k] {
                    out.writeString("VALUE \(k) \(item.flags) \(item.value.readableBytes)\(cmd == "gets" ? " \(item.cas)" : "")\r\n")
                    out.writeImmutableBuffer(item.value)
                    out.writeString("\r\n")
                }
            }
            out.writeString("END\r\n")
            reply(out)
        case "set", "add", "replace", "append", "prepend", "cas":
            guard let s = storageHeader(text) else { return reply("CLIENT_ERROR bad command line format\r\n") }
            pendingStore = s
            data.clear()
            setRawMode()
        case "incr", "decr":
            guard parts.count >= 3, let delta = UInt64(parts[2]) else {
                return reply("CLIENT_ERROR invalid numeric delta argument\r\n")
            }
            guard let item = store.items[parts[1]] else { return reply("NOT_FOUND\r\n") }
            guard let n = UInt64(String(buffer: item.value)) else {
                return reply("CLIENT_ERROR cannot increment or decrement non-numeric value\r\n")
            }
            let v = cmd == "incr" ? n &+ delta : (n > delta ? n - delta : 0)
            store.put(parts[1], flags: item.flags, value: ByteBuffer(string: String(v)))
            if parts.last != "noreply" { reply("\(v)\r\n") }
        case "delete":
            guard parts.count >= 2 else { return reply("ERROR\r\n") }
            let found = store.items.removeValue(forKey: parts[1]) != nil
            if parts.last != "noreply" { reply(found ? "DELETED\r\n" : "NOT_FOUND\r\n") }
        case "touch":
            guard parts.count >= 3 else { return reply("ERROR\r\n") }
            reply(store.items[parts[1]] != nil ? "TOUCHED\r\n" : "NOT_FOUND\r\n")
        case "flush_all":
            store.items = [:]
            reply("OK\r\n")
        case "stats":
            if parts.count > 1 { return reply("END\r\n") }
            reply("STAT pid 1\r\nSTAT curr_items \(store.items.count)\r\nSTAT version 1.6.0-fake\r\nEND\r\n")
        case "version":
            reply("VERSION 1.6.0-fake\r\n")
        default:
            reply("ERROR\r\n")
        }
    }

    private func storageHeader(_ text: String) -> (cmd: String, key: String, flags: UInt32, exp: Int, length: Int, cas: UInt64?, noreply: Bool)? {
        let p = text.split(separator: " ").map(String.init)
        guard let cmd = p.first, ["set", "add", "replace", "append", "prepend", "cas"].contains(cmd) else { return nil }
        let isCas = cmd == "cas"
        guard p.count >= (isCas ? 6 : 5), let flags = UInt32(p[2]), let exp = Int(p[3]), let n = Int(p[4]), n >= 0 else { return nil }
        let cas = isCas ? UInt64(p[5]) : nil
        if isCas && cas == nil { return nil }
        return (cmd, p[1], flags, exp, n, cas, p.last == "noreply")
    }

    public override func rawDataReceived(_ chunk: ByteBuffer) {
        guard let s = pendingStore else { return setLineMode(chunk) }
        data.writeImmutableBuffer(chunk)
        guard data.readableBytes >= s.length + 2 else { return }
        let value = data.readSlice(length: s.length)!
        let ok = data.byte(atOffset: 0) == 13 && data.byte(atOffset: 1) == 10
        data.moveReaderIndex(forwardBy: 2)
        pendingStore = nil
        let rest = data.readAll()
        let answer: String
        if !ok {
            answer = "CLIENT_ERROR bad data chunk\r\n"
        } else {
            let existing = store.items[s.key]
            switch s.cmd {
            case "set": store.put(s.key, flags: s.flags, value: value); answer = "STORED\r\n"
            case "add":
                if existing != nil { answer = "NOT_STORED\r\n" } else { store.put(s.key, flags: s.flags, value: value); answer = "STORED\r\n" }
            case "replace":
                if existing == nil { answer = "NOT_STORED\r\n" } else { store.put(s.key, flags: s.flags, value: value); answer = "STORED\r\n" }
            case "append", "prepend":
                if let e = existing {
                    var v = s.cmd == "append" ? e.value : value
                    v.writeImmutableBuffer(s.cmd == "append" ? value : e.value)
                    store.put(s.key, flags: e.flags, value: v)
                    answer = "STORED\r\n"
                } else { answer = "NOT_STORED\r\n" }
            default:  // cas
                if let e = existing {
                    if e.cas == s.cas { store.put(s.key, flags: s.flags, value: value); answer = "STORED\r\n" } else { answer = "EXISTS\r\n" }
                } else { answer = "NOT_FOUND\r\n" }
            }
        }
        if !s.noreply { reply(answer) }
        setLineMode(rest)
    }
}

/// The items of a ``FakeMemCacheServer``, shareable between connections.
@ReactorActor
public final class FakeMemCacheStore {
    public struct Item: Sendable {
        public var flags: UInt32
        public var value: ByteBuffer
        public var cas: UInt64
    }
    public var items: [String: Item] = [:]
    private var nextCas: UInt64 = 1

    public init() {}

    public func put(_ key: String, flags: UInt32, value: ByteBuffer) {
        nextCas += 1
        items[key] = Item(flags: flags, value: value, cas: nextCas)
    }
}
