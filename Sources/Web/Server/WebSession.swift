import TwisterProtocols
import TwisterHTTP

/// A server-side session (Twisted's `server.Session`), found through a cookie.
///
/// Contract: created by ``Request/getSession()`` with a random 256-bit id (hex). It expires after
/// ``sessionTimeout`` seconds without a ``touch()`` (every `getSession` touches it), when the Site has a
/// ``ReactorTime``; ``expire()`` removes it from the Site at once and runs the ``notifyOnExpire(_:)`` callbacks
/// in order. Data lives in ``values``. Reactor thread only.
@ReactorActor
public final class WebSession {
    public let uid: String
    public unowned let site: Site
    /// Seconds of inactivity before expiry.
    public var sessionTimeout: Double
    /// When the session was last touched (the Site's time, 0 without one).
    public private(set) var lastModified: Double = 0
    /// Application data.
    public var values: [String: Any] = [:]
    private var expireCallbacks: [() -> Void] = []
    private var expireCall: (any DelayedCall)?
    public private(set) var expired = false

    init(site: Site, uid: String) {
        self.site = site
        self.uid = uid
        self.sessionTimeout = site.sessionTimeout
        touch()
    }

    /// Marks the session as used now: restarts its expiry countdown.
    public func touch() {
        guard !expired, let clock = site.clock else { return }
        lastModified = clock.seconds()
        if let c = expireCall, c.active { c.reset(sessionTimeout) } else {
            expireCall = clock.callLater(sessionTimeout) { [weak self] in self?.expire() }
        }
    }

    /// Ends the session now.
    public func expire() {
        guard !expired else { return }
        expired = true
        expireCall?.cancel(); expireCall = nil
        site.sessions[uid] = nil
        let cbs = expireCallbacks
        expireCallbacks = []
        for cb in cbs { cb() }
    }

    /// Calls `callback` when the session expires.
    public func notifyOnExpire(_ callback: @escaping () -> Void) { expireCallbacks.append(callback) }

    /// 32 random bytes as 64 hex digits.
    static func newUID() -> String {
        var g = SystemRandomNumberGenerator()
        let hex = Array("0123456789abcdef".unicodeScalars)
        var s = ""
        for _ in 0..<32 { let b = UInt8.random(in: 0...255, using: &g); s.unicodeScalars.append(hex[Int(b >> 4)]); s.unicodeScalars.append(hex[Int(b & 15)]) }
        return s
    }
}

extension Site {
    /// A new session, registered under a fresh id.
    public func makeSession() -> WebSession {
        let s = WebSession(site: self, uid: WebSession.newUID())
        sessions[s.uid] = s
        return s
    }

    /// The live session with `uid`, or nil.
    public func getSession(_ uid: String) -> WebSession? { sessions[uid] }
}

extension Request {
    /// The session of this request (Twisted's `getSession`): found through the `TWISTED_SESSION` cookie
    /// (`TWISTED_SECURE_SESSION` over TLS, with the sitepath appended after `_`), or created, in which case the
    /// cookie (path `/`, HttpOnly, SameSite=Lax, Secure over TLS) is set on the response. One per request.
    public func getSession() -> WebSession {
        if let s = session, !s.expired { s.touch(); return s }
        guard let site else { preconditionFailure("getSession needs a Site") }
        let cookieName = ([isSecure ? "TWISTED_SECURE_SESSION" : "TWISTED_SESSION"] + sitepath).joined(separator: "_")
        if let id = getCookie(cookieName), let s = site.getSession(id), !s.expired {
            s.touch()
            session = s
            return s
        }
        let s = site.makeSession()
        session = s
        addCookie(cookieName, s.uid, path: "/", secure: isSecure, httpOnly: true, sameSite: .lax)
        return s
    }
}
