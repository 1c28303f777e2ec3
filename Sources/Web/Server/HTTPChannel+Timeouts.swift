import TwisterProtocols
import TwisterHTTP

/// The channel's timers (reactor thread only; only when the channel has a clock): idle and header-read. The
/// abort timer is armed by ``HTTPChannel/close()``; every timer is cancelled in `connectionLost`.
extension HTTPChannel {
    /// The idle timer fired: close if nothing came for ``HTTPServerSettings/idleTimeout`` (input resets it;
    /// a request being answered or reading paused by the application re-arms it instead).
    func idleCheck() {
        guard let clock, let idle = settings.idleTimeout, state != .closing else { return }
        if state == .answering || readPause.contains(.application) {
            idleCall = clock.callLater(idle) { [self] in idleCheck() }
            return
        }
        let elapsed = clock.seconds() - lastActivity
        if elapsed >= idle {
            idleCall = nil
            close()
        } else {
            idleCall = clock.callLater(idle - elapsed) { [self] in idleCheck() }
        }
    }

    /// Starts the header-read timer (``HTTPServerSettings/headerReadTimeout``) at the first byte of a head: a
    /// head (or held body) not complete by then is answered 408.
    func armHeaderTimer() {
        guard headerCall == nil, let clock, let t = settings.headerReadTimeout else { return }
        headerCall = clock.callLater(t) { [self] in
            guard state == .head || state == .body else { return }
            headerCall = nil
            refuse(HTTPParseError(408, "request head not received in time"))
        }
    }
}
