import Testing
import Foundation
@testable import TwisterProtocols
import TwisterTesting

/// Every memcached command, checked; run against the fake here and against the real server in MemCacheRealTests.
@ReactorActor
func memcacheScenario(_ mc: MemCacheProtocol, _ h: ClientHarness, prefix: String) async throws {
    let k = { (s: String) in prefix + s }
    try await h.value(mc.flushAll())
    #expect(try await h.value(mc.set(k("a"), "hello", flags: 42)) == true)
    let a = try await h.value(mc.get(k("a")))
    #expect(a?.string == "hello" && a?.flags == 42 && a?.cas == nil)
    #expect(try await h.value(mc.get(k("missing"))) == nil)

    // Binary value with CRLF inside, and an empty value.
    let bin = ByteBuffer(bytes: [0, 13, 10, 255, 13, 10, 69, 78, 68, 13, 10])
    #expect(try await h.value(mc.set(k("bin"), bin)) == true)
    #expect(try await h.value(mc.get(k("bin")))?.value == bin)
    #expect(try await h.value(mc.set(k("empty"), ByteBuffer())) == true)
    #expect(try await h.value(mc.get(k("empty")))?.value == ByteBuffer())

    // gets / cas
    let g = try #require(try await h.value(mc.gets(k("a"))))
    let cas = try #require(g.cas)
    #expect(try await h.value(mc.checkAndSet(k("a"), "v2", cas: cas)) == true)
    #expect(try await h.value(mc.checkAndSet(k("a"), "v3", cas: cas)) == false)  // EXISTS: id changed
    #expect(try await h.value(mc.checkAndSet(k("nope"), "v3", cas: cas)) == false)  // NOT_FOUND
    #expect(try await h.value(mc.get(k("a")))?.string == "v2")

    // add / replace
    #expect(try await h.value(mc.add(k("a"), "x")) == false)
    #expect(try await h.value(mc.add(k("b"), "bee")) == true)
    #expect(try await h.value(mc.replace(k("zz"), "x")) == false)
    #expect(try await h.value(mc.replace(k("b"), "B")) == true)
    #expect(try await h.value(mc.get(k("b")))?.string == "B")

    // append / prepend
    #expect(try await h.value(mc.append(k("b"), "++")) == true)
    #expect(try await h.value(mc.prepend(k("b"), "--")) == true)
    #expect(try await h.value(mc.append(k("zz"), "x")) == false)
    #expect(try await h.value(mc.get(k("b")))?.string == "--B++")

    // incr / decr
    #expect(try await h.value(mc.set(k("n"), "10")) == true)
    #expect(try await h.value(mc.increment(k("n"))) == 11)
    #expect(try await h.value(mc.increment(k("n"), by: 100)) == 111)
    #expect(try await h.value(mc.decrement(k("n"), by: 11)) == 100)
    #expect(try await h.value(mc.decrement(k("n"), by: 1000)) == 0)
    #expect(try await h.value(mc.increment(k("nonum"))) == nil)
    await #expect(throws: MemCacheError.self) { try await h.value(mc.increment(k("a"))) }  // non-numeric: CLIENT_ERROR

    // multi-get
    let m = try await h.value(mc.getMultiple([k("a"), k("b"), k("missing")]))
    #expect(m.count == 2 && m[k("a")]?.string == "v2" && m[k("b")]?.string == "--B++" && m[k("a")]?.cas == nil)
    let mc2 = try await h.value(mc.getMultiple([k("a"), k("b")], withCAS: true))
    #expect(mc2.values.allSatisfy { $0.cas != nil })
    #expect(try await h.value(mc.getMultiple([])).isEmpty)

    // touch / delete
    #expect(try await h.value(mc.touch(k("a"), expireTime: 3600)) == true)
    #expect(try await h.value(mc.touch(k("missing"), expireTime: 10)) == false)
    #expect(try await h.value(mc.delete(k("a"))) == true)
    #expect(try await h.value(mc.delete(k("a"))) == false)
    #expect(try await h.value(mc.get(k("a"))) == nil)

    // stats / version / flush
    let stats = try await h.value(mc.stats())
    #expect(stats["pid"] != nil && stats["version"] != nil)
    _ = try await h.value(mc.stats("settings"))
    #expect(!(try await h.value(mc.version())).isEmpty)
    try await h.value(mc.flushAll())
    #expect(try await h.value(mc.get(k("b"))) == nil)

    // Pipelining: many requests before any reply; replies match in order.
    var sets: [Deferred<Bool>] = []
    var gets: [Deferred<MemCacheValue?>] = []
    for i in 0..<200 { sets.append(mc.set(k("p\(i)"), ByteBuffer(string: "value-\(i)"))) }
    for i in 0..<200 { gets.append(mc.get(k("p\(i)"))) }
    #expect(mc.pendingCount == 400 || h.pump == nil)
    for d in sets { #expect(try await h.value(d) == true) }
    for (i, d) in gets.enumerated() { #expect(try await h.value(d)?.string == "value-\(i)") }
}

extension MemCacheProtocol {
    func set(_ key: String, _ value: String, flags: UInt32 = 0) -> Deferred<Bool> { set(key, ByteBuffer(string: value), flags: flags) }
    func add(_ key: String, _ value: String) -> Deferred<Bool> { add(key, ByteBuffer(string: value)) }
    func replace(_ key: String, _ value: String) -> Deferred<Bool> { replace(key, ByteBuffer(string: value)) }
    func append(_ key: String, _ value: String) -> Deferred<Bool> { append(key, ByteBuffer(string: value)) }
    func prepend(_ key: String, _ value: String) -> Deferred<Bool> { prepend(key, ByteBuffer(string: value)) }
    func checkAndSet(_ key: String, _ value: String, cas: UInt64) -> Deferred<Bool> { checkAndSet(key, ByteBuffer(string: value), cas: cas) }
}

@ReactorActor
func failure<T>(of d: Deferred<T>) -> (any Error)? {
    guard case .failure(let f)? = d.result else { return nil }
    _ = d.addBoth { _ in () }
    return f.error
}

@Suite @ReactorActor struct MemCacheFakeTests {
    func connected(clock: Clock = Clock()) -> (MemCacheProtocol, FakeMemCacheServer, LoopbackPump) {
        let mc = MemCacheProtocol(clock: clock)
        let server = FakeMemCacheServer()
        let pump = LoopbackPump.connect(client: mc, server: server)
        return (mc, server, pump)
    }

    @Test func everyCommandAgainstTheFake() async throws {
        let (mc, _, pump) = connected()
        try await memcacheScenario(mc, ClientHarness(pump: pump), prefix: "t:")
    }

    @Test func wireFormatOfEachCommand() {
        let t = StringTransport()
        let mc = MemCacheProtocol(clock: Clock())
        t.connect(mc)
        _ = mc.get("k"); _ = mc.gets("k"); _ = mc.getMultiple(["a", "b"], withCAS: true)
        _ = mc.set("k", "v", flags: 3); _ = mc.add("k", "v"); _ = mc.replace("k", "v")
        _ = mc.append("k", "v"); _ = mc.prepend("k", "v"); _ = mc.checkAndSet("k", "v", cas: 99)
        _ = mc.increment("k", by: 5); _ = mc.decrement("k"); _ = mc.delete("k"); _ = mc.touch("k", expireTime: 7)
        _ = mc.flushAll(); _ = mc.flushAll(delay: 10); _ = mc.stats(); _ = mc.stats("items"); _ = mc.version()
        #expect(t.take() == "get k\r\ngets k\r\ngets a b\r\nset k 3 0 1\r\nv\r\nadd k 0 0 1\r\nv\r\nreplace k 0 0 1\r\nv\r\n"
            + "append k 0 0 1\r\nv\r\nprepend k 0 0 1\r\nv\r\ncas k 0 0 1 99\r\nv\r\nincr k 5\r\ndecr k 1\r\ndelete k\r\n"
            + "touch k 7\r\nflush_all\r\nflush_all 10\r\nstats\r\nstats items\r\nversion\r\n")
        #expect(mc.pendingCount == 18)
    }

    @Test func aReplyLineLongerThanMaxLengthFailsPendingCallsAndCloses() {
        let t = StringTransport()
        let mc = MemCacheProtocol(clock: Clock())
        mc.maxLength = 100
        t.connect(mc)
        let a = mc.get("k")
        t.receive(ByteBuffer(string: "VALUE " + String(repeating: "x", count: 200)))
        guard case .protocolViolation(let why)? = failure(of: a) as? MemCacheError else {
            Issue.record("expected a protocol violation"); return
        }
        #expect(why.contains("longer than 100"))
        #expect(t.disconnecting)
    }

    @Test func malformedValueLinesAreViolationsNamingTheLine() {
        for line in ["VALUE k x 3", "VALUE k 0", "VALUE k 0 3 12 extra", "VALUE  0 3", "VALUE k 0 99999999999", "VALUE k 0 3 -1"] {
            let t = StringTransport()
            let mc = MemCacheProtocol(clock: Clock())
            t.connect(mc)
            let a = mc.get("k")
            t.receive(line + "\r\n")
            guard case .protocolViolation(let why)? = failure(of: a) as? MemCacheError else {
                Issue.record("\(line): expected a protocol violation"); continue
            }
            #expect(why.contains("VALUE") || why.contains("CAS"), "\(line): \(why)")
        }
    }

    @Test func repliesSplitAtEveryByteBoundary() throws {
        let reply = bytes("VALUE a 5 3 77\r\nabc\r\nVALUE b 0 4 78\r\n\r\n\r\n\r\nEND\r\nSTORED\r\n42\r\nNOT_FOUND\r\nSTAT pid 7\r\nSTAT x y z\r\nEND\r\nVERSION 1.2.3\r\nSERVER_ERROR out of memory\r\nDELETED\r\n")
        for chunks in everySplit(reply) {
            let t = StringTransport()
            let mc = MemCacheProtocol(clock: Clock())
            t.connect(mc)
            let g = mc.getMultiple(["a", "b"], withCAS: true)
            let s = mc.set("x", "y")
            let i = mc.increment("n")
            let i2 = mc.increment("m")
            let st = mc.stats()
            let v = mc.version()
            let e = mc.set("big", "z")
            let del = mc.delete("x")
            for c in chunks { t.receive(c) }
            guard case .success(let m)? = g.result else { Issue.record("get not fired"); return }
            #expect(m["a"] == MemCacheValue(flags: 5, value: "abc", cas: 77))
            #expect(m["b"] == MemCacheValue(flags: 0, value: "\r\n\r\n", cas: 78))
            #expect(s.result.flatMap { try? $0.get() } == true)
            #expect(i.result.flatMap { try? $0.get() } == 42)
            #expect(i2.result.flatMap { try? $0.get() } == .some(nil))
            #expect(st.result.flatMap { try? $0.get() } == ["pid": "7", "x": "y z"])
            #expect(v.result.flatMap { try? $0.get() } == "1.2.3")
            #expect(failure(of: e) as? MemCacheError == .server("out of memory"))
            #expect(del.result.flatMap { try? $0.get() } == true)
            #expect(mc.pendingCount == 0 && !t.disconnecting)
        }
    }

    @Test func invalidKeysAndValuesFailClearlyAndSendNothing() {
        let t = StringTransport()
        let mc = MemCacheProtocol(clock: Clock())
        t.connect(mc)
        let long = String(repeating: "k", count: 251)
        let cases: [(Deferred<Bool>, String)] = [
            (mc.set(long, "v"), "longer than 250"),
            (mc.set("has space", "v"), "a space at offset 3"),
            (mc.set("ctl\u{1}x", "v"), "control byte 0x1 at offset 3"),
            (mc.set("nl\r\n", "v"), "control byte 0xd"),
            (mc.set("", "v"), "empty"),
            (mc.delete("a b"), "space"),
        ]
        for (d, text) in cases {
            let e = failure(of: d)
            #expect(e is MemCacheError && "\(e!)".contains(text), "\(String(describing: e)) should mention \(text)")
        }
        #expect(failure(of: mc.get("x y")) is MemCacheError)
        #expect(failure(of: mc.getMultiple(["ok", "not ok"])) is MemCacheError)
        #expect(failure(of: mc.increment("\u{7f}")) is MemCacheError)
        #expect(failure(of: mc.touch("a\tb", expireTime: 1)) is MemCacheError)
        mc.maxValueLength = 4
        let e = failure(of: mc.set("k", "12345"))
        #expect("\(e!)".contains("5 bytes") && "\(e!)".contains("maxValueLength"))
        #expect(mc.set(String(repeating: "k", count: 250), "1234").result == nil)  // 250 is fine
        _ = t.take()
        #expect(mc.pendingCount == 1)
    }

    @Test func serverErrorsFailOnlyTheirCall() async throws {
        let (mc, server, pump) = connected()
        server.replyOverride = { line in
            line.hasPrefix("get bad1") ? "ERROR\r\n" : line.hasPrefix("get bad2") ? "CLIENT_ERROR nope\r\n" :
            line.hasPrefix("get bad3") ? "SERVER_ERROR busy\r\n" : nil
        }
        let h = ClientHarness(pump: pump)
        let d1 = mc.get("bad1"), d2 = mc.get("bad2"), ok = mc.set("good", "1"), d3 = mc.get("bad3")
        pump.flush()
        #expect(failure(of: d1) as? MemCacheError == .noSuchCommand)
        #expect(failure(of: d2) as? MemCacheError == .client("nope"))
        #expect(failure(of: d3) as? MemCacheError == .server("busy"))
        #expect(try await h.value(ok) == true)
        #expect(try await h.value(mc.get("good"))?.string == "1")
    }

    @Test(arguments: ["HELLO\r\n", "VALUE k x 1\r\na\r\nEND\r\n", "VALUE k 0 3\r\nabcXY", "STAT a b\r\n", "12abc\r\n", "DELETED\r\n"])
    func garbageRepliesFailEveryPendingCallAndClose(_ garbage: String) {
        let (mc, server, pump) = connected()
        server.replyOverride = { $0.hasPrefix("get k") ? ByteBuffer(string: garbage) : nil }
        let a = mc.get("k")
        let b = mc.set("x", "1")
        pump.flush()
        for e in [failure(of: a), failure(of: b)] {
            guard case .protocolViolation? = e as? MemCacheError else { Issue.record("\(garbage): \(String(describing: e))"); continue }
        }
        #expect(!mc.connected)
        #expect(failure(of: mc.get("later")) != nil)
    }

    @Test func serverClosingMidReplyFailsPendingWithTheReason() {
        let (mc, server, pump) = connected()
        server.replyOverride = { $0.hasPrefix("get k") ? "VALUE k 0 10\r\nabc" : nil }
        server.closeAfterReply = true
        let a = mc.get("k")
        let b = mc.version()
        pump.flush()
        #expect(failure(of: a) as? ConnectionError == .done)
        #expect(failure(of: b) as? ConnectionError == .done)
        #expect(!mc.connected)
        #expect(failure(of: mc.get("k")) as? ConnectionError == .done)
    }

    @Test func connectionLostFailsPendingWithTheReason() {
        let t = StringTransport()
        let mc = MemCacheProtocol(clock: Clock())
        #expect(failure(of: mc.get("k")) as? MemCacheError == .notConnected)
        t.connect(mc)
        let a = mc.get("k"), b = mc.delete("k")
        t.finishLoss(.lost("reset by peer"))
        #expect(failure(of: a) as? ConnectionError == .lost("reset by peer"))
        #expect(failure(of: b) as? ConnectionError == .lost("reset by peer"))
    }

    @Test func timeoutFailsEveryPendingCallAndCloses() {
        let clock = Clock()
        let t = StringTransport()
        let mc = MemCacheProtocol(timeout: 60, clock: clock)
        t.connect(mc)
        let a = mc.get("k")
        clock.advance(30)
        let b = mc.set("x", "1")
        clock.advance(29)
        #expect(a.result == nil && !t.disconnecting)
        t.receive("VALUE k 0 1\r\n")  // progress resets the timer
        clock.advance(59)
        #expect(a.result == nil)
        clock.advance(1.5)
        #expect(failure(of: a) as? MemCacheError == .timedOut(seconds: 60))
        #expect(failure(of: b) as? MemCacheError == .timedOut(seconds: 60))
        #expect(t.disconnecting)
        #expect(failure(of: mc.version()) as? MemCacheError == .timedOut(seconds: 60))
    }

    @Test func timerIsOffWhenIdleAndTimeoutIsSettable() {
        let clock = Clock()
        let t = StringTransport()
        let mc = MemCacheProtocol(timeout: 60, clock: clock)
        mc.timeout = 2
        t.connect(mc)
        let a = mc.version()
        t.receive("VERSION 1\r\n")
        #expect(a.result != nil)
        #expect(clock.pendingCalls.isEmpty)
        clock.advance(1000)
        #expect(!t.disconnecting)
        let b = mc.version()
        clock.advance(2)
        #expect(failure(of: b) as? MemCacheError == .timedOut(seconds: 2))
    }

    @Test func asyncFormThrowsTheError() async throws {
        let (mc, _, pump) = connected()
        let d = mc.get("a b")
        await #expect(throws: MemCacheError.self) { try await d.value }
        let s = mc.set("k", "v")
        pump.flush()
        #expect(try await s.value)
    }
}
