import Testing
@testable import TwisterTornado
import TwisterWeb
import TwisterTesting

/// Tornado's `xheaders` (httpserver_test.py `XHeaderTest`, tornado.md §3 item 37). The harness's socket peer
/// is 192.168.1.1.
@Suite @ReactorActor struct TornadoXHeadersTests {
    func harness(xheaders: Bool = true, trusted: Set<String> = []) -> AppHarness {
        var s = ApplicationSettings()
        s.xheaders = xheaders
        s.trustedDownstream = trusted
        return AppHarness([route("/", get: { hd in hd.write("\(hd.remoteIP) \(hd.scheme)"); return .done })], settings: s)
    }

    func answer(_ h: AppHarness, _ headers: [(String, String)]) throws -> String {
        try #require(h.fetch("/", headers: headers)).body
    }

    /// §3 item 37: valid IPv4/IPv6 addresses from X-Real-IP become remote_ip; invalid ones fall back.
    @Test func xRealIpGivesRemoteIPOnlyWhenItIsAValidAddress() throws {
        let h = harness()
        #expect(try answer(h, []) == "192.168.1.1 http")
        #expect(try answer(h, [("X-Real-IP", "4.4.4.4")]) == "4.4.4.4 http")
        #expect(try answer(h, [("X-Real-IP", "4.4.4.4<script>")]) == "192.168.1.1 http")
        #expect(try answer(h, [("X-Real-IP", "2620:0:1cfe:face:b00c::3")]) == "2620:0:1cfe:face:b00c::3 http")
        #expect(try answer(h, [("X-Real-IP", "2620:0:1cfe:face:b00c::3<script>")]) == "192.168.1.1 http")
        #expect(try answer(h, [("X-Real-IP", "example.com")]) == "192.168.1.1 http")
        #expect(try answer(h, [("X-Real-IP", "")]) == "192.168.1.1 http")
    }

    /// §3 item 37: the last X-Forwarded-For hop is the client; injected values fall back to the socket.
    @Test func theLastXForwardedForHopIsTheClient() throws {
        let h = harness()
        #expect(try answer(h, [("X-Forwarded-For", "4.4.4.4")]) == "4.4.4.4 http")
        #expect(try answer(h, [("X-Forwarded-For", "1.2.3.4, 4.4.4.4")]) == "4.4.4.4 http")
        #expect(try answer(h, [("X-Forwarded-For", "4.4.4.4<script>")]) == "192.168.1.1 http")
        #expect(try answer(h, [("X-Forwarded-For", "2620:0:1cfe:face:b00c::3")]) == "2620:0:1cfe:face:b00c::3 http")
        // X-Real-IP wins over X-Forwarded-For, as in Tornado.
        #expect(try answer(h, [("X-Forwarded-For", "1.2.3.4"), ("X-Real-IP", "5.6.7.8")]) == "5.6.7.8 http")
    }

    /// §3 item 37: `trusted_downstream` hops are skipped from the right.
    @Test func trustedDownstreamHopsAreSkipped() throws {
        let h = harness(trusted: ["5.5.5.5"])
        #expect(try answer(h, [("X-Forwarded-For", "1.2.3.4, 4.4.4.4, 5.5.5.5")]) == "4.4.4.4 http")
        #expect(try answer(harness(), [("X-Forwarded-For", "4.4.4.4, 5.5.5.5")]) == "5.5.5.5 http")
    }

    /// §3 item 37: X-Scheme / X-Forwarded-Proto set the scheme; the last value wins; unknown values give http.
    @Test func xSchemeAndXForwardedProtoSetTheSchemeLastValueWinning() throws {
        let h = harness()
        #expect(try answer(h, [("X-Scheme", "https")]) == "192.168.1.1 https")
        #expect(try answer(h, [("X-Forwarded-Proto", "https")]) == "192.168.1.1 https")
        #expect(try answer(h, [("X-Forwarded-Proto", "https , http")]) == "192.168.1.1 http")
        #expect(try answer(h, [("X-Forwarded-Proto", "http , https")]) == "192.168.1.1 https")
        #expect(try answer(h, [("X-Forwarded-Proto", "unknown")]) == "192.168.1.1 http")
        #expect(try answer(h, [("X-Scheme", "https"), ("X-Forwarded-Proto", "http")]) == "192.168.1.1 https")
    }

    /// Without the setting, every proxy header is ignored (a client cannot spoof its address).
    @Test func proxyHeadersAreIgnoredWhenXheadersIsOff() throws {
        let h = harness(xheaders: false)
        #expect(try answer(h, [("X-Real-IP", "4.4.4.4"), ("X-Forwarded-For", "1.2.3.4"), ("X-Scheme", "https")]) == "192.168.1.1 http")
    }

    /// The access log names the proxied client, as Tornado's does.
    @Test func theAccessLogUsesTheProxiedAddress() throws {
        var lines: [String] = []
        var s = ApplicationSettings()
        s.xheaders = true
        let h = AppHarness([route("/", get: { $0.write("x"); return .done })], settings: s) { app in
            app.accessLog = { lines.append($1) }
        }
        h.fetch("/", headers: [("X-Real-IP", "4.4.4.4")])
        #expect(lines.count == 1)
        #expect(lines.first?.hasPrefix("200 GET / (4.4.4.4) ") == true)
    }
}
