import TwisterProtocols
import TwisterHTTP

/// Receives a request body as it arrives (see ``Resource/bodyStreamer(for:)``), instead of the body being
/// buffered in memory or a temporary file.
///
/// Contract (reactor thread): `bodyDataReceived` is called with each decoded piece, in order, as soon as it is
/// read (so memory stays bounded by the read size); then `bodyFinished` once, after which the resource's
/// render method is called as usual (with an empty `request.content`). If the connection is lost first,
/// `bodyFinished` is never called and the request's `notifyFinish()` Deferred errbacks. The resource may answer
/// (finish the request) from `bodyDataReceived`: no later piece is delivered, the rest of the body is not read,
/// and the connection is closed after the response. To slow the client down,
/// pause the request's transport (`request.pauseReading()`), and resume it later.
@ReactorActor
public protocol RequestBodyStreamer: AnyObject {
    func bodyDataReceived(_ data: ByteBuffer)
    func bodyFinished()
}

extension Request {
    /// Stops reading from the connection (backpressure for a streamed request body); the idle timeout is
    /// suspended meanwhile.
    public func pauseReading() { if let c = channel, c.current === self { c.pauseReading(.application) } }
    /// Starts reading again after ``pauseReading()``.
    public func resumeReading() { if let c = channel, c.current === self { c.resumeReading(.application) } }
    /// Sets the maximum body size of this request alone (Tornado's `request.connection.set_max_body_size`),
    /// in place of ``HTTPServerSettings/maxBodySize``: a larger body, sized or chunked, is answered with 413 and
    /// the connection closed. Effective only while the body is being read, so call it when the head is in
    /// (from ``Resource/bodyStreamer(for:)``, or a streaming handler's `prepare`); a Content-Length is checked
    /// against it once, when `bodyStreamer(for:)` returns (or the body is released, see ``releaseBody()``). Negative values count as 0.
    public func setMaxBodySize(_ n: Int) { channel?.setMaxBodySize(n, for: self) }
    /// Holds the body back while the resource gets ready (a streaming handler's async `prepare`): from the head
    /// (``Resource/bodyStreamer(for:)``) until ``releaseBody()``, no body byte is decoded, and the check of the
    /// Content-Length against the limit and the `100 Continue` wait. Pair with ``pauseReading()`` to stop reading.
    package func holdBody() { channel?.holdBody(of: self) }
    /// Ends ``holdBody()``: the Content-Length is checked (413), `100 Continue` sent, and the body read.
    package func releaseBody() { channel?.releaseBody(of: self) }
}
