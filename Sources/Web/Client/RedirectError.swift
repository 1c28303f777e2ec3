import TwisterProtocols
import TwisterHTTP

/// A redirect could not be followed (Twisted's `RedirectWithNoLocation`, `InfiniteRedirection`, the error for a
/// 301/302 on a method other than GET/HEAD in the strict agent, and a 307/308 whose request body cannot be sent
/// again). `response` is the redirect response itself.
public struct RedirectError: Error, CustomStringConvertible {
    public enum Kind: Equatable, Sendable {
        case noLocation
        case tooManyRedirects(limit: Int)
        case methodNotRedirectable(method: String, code: Int)
        case badLocation(String)
        /// A 307/308 (or a browser-like 301/302 for a method other than POST) must re-send the body, and the
        /// request's producer is not a ``RewindableBodyProducer``.
        case bodyNotReplayable(method: String, code: Int)
    }
    public let kind: Kind
    public let location: String?
    // A reference to a reactor-isolated object; only reached from the reactor (the error itself is not Sendable).
    public let response: AgentResponse
    public var description: String {
        switch kind {
        case .noLocation: return "Redirect (\(response.code)) without a Location header"
        case .tooManyRedirects(let n): return "Too many redirects (limit \(n)), last to \(location ?? "?")"
        case .methodNotRedirectable(let m, let c): return "Cannot follow a \(c) redirect for method \(m)"
        case .badLocation(let l): return "Redirect to an unusable location: \(l)"
        case .bodyNotReplayable(let m, let c):
            return "Cannot follow a \(c) redirect for \(m): the request body cannot be sent again (use a RewindableBodyProducer)"
        }
    }
}
