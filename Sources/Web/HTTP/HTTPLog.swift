import TwisterProtocols

/// Where the web layer reports misuse (write after finish, invalid response headers, a second producer).
/// Replaceable (e.g. by tests, or to route into your logging); nil silences it. Reactor thread only.
@ReactorActor
public enum HTTPLog {
    public static var handler: ((String) -> Void)? = { msg in
        print("[twister.web] \(msg)")
    }
    package static func misuse(_ message: String) { handler?(message) }
}
