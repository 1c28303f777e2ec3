import TwisterProtocols
import TwisterHTTP

/// Anything that turns a request into a Deferred response (Twisted's `IAgent`): ``Agent`` and the wrappers
/// (``RedirectAgent``, ``ContentDecoderAgent``, ``CookieAgent``) that add behaviour around another agent.
@ReactorActor
public protocol HTTPAgent: AnyObject {
    /// Issues `method` on the absolute `url`. See ``Agent/request(_:_:headers:bodyProducer:)``.
    func request(_ method: String, _ url: String, headers: HTTPHeaders, bodyProducer: (any BodyProducer)?) -> Deferred<AgentResponse>
}

extension HTTPAgent {
    public func request(_ method: String, _ url: String, headers: HTTPHeaders = HTTPHeaders()) -> Deferred<AgentResponse> {
        request(method, url, headers: headers, bodyProducer: nil)
    }
}
