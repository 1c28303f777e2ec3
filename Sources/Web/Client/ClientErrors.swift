import TwisterProtocols
import TwisterHTTP

/// The body of a response arrived whole (Twisted's `ResponseDone`): the reason a body protocol's
/// `connectionLost` receives when nothing is missing.
public struct ResponseDone: Error, Equatable, CustomStringConvertible {
    public init() {}
    public var description: String { "Response body fully received" }
}

/// The response had no length and ended when the server closed the connection (Twisted's `PotentialDataLoss`):
/// the body is probably whole, but HTTP cannot tell a cut from an end here.
public struct PotentialDataLoss: Error, Equatable, CustomStringConvertible {
    public init() {}
    public var description: String { "Response body ended by connection close (no length given): it may be incomplete" }
}

/// Receiving the response failed (Twisted's `ResponseFailed`): the head or the body was cut or malformed.
/// `reasons` names what went wrong, innermost cause first (a ``HTTPResponseParseError``, a ``ConnectionError``,
/// a ``ClientTimeoutError``, …).
public struct ResponseFailed: Error, CustomStringConvertible {
    public let reasons: [any Error]
    public init(_ reasons: [any Error]) { self.reasons = reasons }
    public var description: String { "Response failed: " + reasons.map { "\($0)" }.joined(separator: "; ") }
    /// The first reason of type `E`, if any.
    public func reason<E: Error>(_ type: E.Type) -> E? {
        for r in reasons { if let e = r as? E { return e } }
        return nil
    }
}

/// The connection closed (or failed) after the request was written but before any byte of a response arrived
/// (Twisted's `ResponseNeverReceived`). A pooled request may be retried on a new connection in this case.
public struct ResponseNeverReceived: Error, CustomStringConvertible {
    public let reasons: [any Error]
    public init(_ reasons: [any Error]) { self.reasons = reasons }
    public var description: String { "Response never received: " + reasons.map { "\($0)" }.joined(separator: "; ") }
    public func reason<E: Error>(_ type: E.Type) -> E? {
        for r in reasons { if let e = r as? E { return e } }
        return nil
    }
}

/// The request could not be sent at all: the connection was already closed or busy (Twisted's `RequestNotSent`).
public struct RequestNotSent: Error, Equatable, CustomStringConvertible {
    public init() {}
    public var description: String { "Request not sent: the connection was closed or already busy" }
}

/// Writing the request (its body producer) failed (Twisted's `RequestTransmissionFailed`).
public struct RequestTransmissionFailed: Error, CustomStringConvertible {
    public let reasons: [any Error]
    public init(_ reasons: [any Error]) { self.reasons = reasons }
    public var description: String { "Request transmission failed: " + reasons.map { "\($0)" }.joined(separator: "; ") }
}

/// A body producer wrote more or fewer bytes than the length it announced.
public struct WrongBodyLength: Error, Equatable, CustomStringConvertible {
    public let announced: Int
    public let written: Int
    public var description: String { "Body producer announced \(announced) bytes but wrote \(written)" }
}

/// `readBody` got a body that ended by connection close without a length (Twisted's `PartialDownloadError`):
/// `body` is what arrived, probably all of it.
public struct PartialDownloadError: Error, CustomStringConvertible {
    public let code: Int
    public let body: ByteBuffer
    public var description: String { "Partial download (status \(code), \(body.readableBytes) bytes, no length)" }
}

/// The request could not be built: bad method, URL or header (Twisted raises ValueError/SchemeNotSupported).
public struct ClientRequestError: Error, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { "Invalid request: \(message)" }
}

/// One of the client's deadlines passed. The connection involved is aborted.
public struct ClientTimeoutError: Error, Equatable, CustomStringConvertible {
    public enum Phase: String, Sendable {
        /// Connecting took longer than the connect timeout.
        case connect
        /// The request was written but no byte of the response arrived in time.
        case firstByte = "first byte"
        /// The response body stalled: no bytes between two chunks for too long.
        case bodyChunk = "between body chunks"
        /// The whole request (Tornado's `request_timeout`) took too long.
        case request
    }
    public let phase: Phase
    public let seconds: Double
    public init(_ phase: Phase, seconds: Double) { self.phase = phase; self.seconds = seconds }
    public var description: String { "Timeout (\(phase.rawValue)) after \(seconds) seconds" }
}

/// `deliverBody` was called a second time on the same response.
public struct BodyAlreadyDelivered: Error, Equatable, CustomStringConvertible {
    public init() {}
    public var description: String { "Response body was already delivered to another protocol" }
}

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
