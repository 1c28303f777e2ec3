import TwisterProtocols
import TwisterHTTP
import TwisterWebServer

import Foundation

/// Tornado's `xheaders` rules (`HTTPServer(xheaders=True)`, `_HTTPRequestContext._apply_xheaders`): how a proxy's
/// headers override the client address and scheme. Pure functions; see ``ApplicationSettings/xheaders``.
enum XHeaders {
    /// `X-Real-Ip` if present, else the last `X-Forwarded-For` hop not in `trusted`; used only when it is a
    /// valid IPv4 or IPv6 address, else `socket`.
    static func remoteIP(_ headers: HTTPHeaders, socket: String, trusted: Set<String>) -> String {
        var ip = socket
        let forwarded = headers.values("X-Forwarded-For")
        if !forwarded.isEmpty {
            let hops = forwarded.joined(separator: ",").split(separator: ",", omittingEmptySubsequences: false)
            for hop in hops.reversed() {
                ip = hop.trimmingCharacters(in: .whitespaces)
                if !trusted.contains(ip) { break }
            }
        }
        let real = headers.values("X-Real-Ip")
        if !real.isEmpty { ip = real.joined(separator: ",") }
        return isValidIP(ip) ? ip : socket
    }

    /// The last value of `X-Scheme`, else of `X-Forwarded-Proto`, when it is `http` or `https`; else `default`.
    static func scheme(_ headers: HTTPHeaders, default own: String) -> String {
        var values = headers.values("X-Scheme")
        if values.isEmpty { values = headers.values("X-Forwarded-Proto") }
        guard !values.isEmpty else { return own }
        let last = values.joined(separator: ",").split(separator: ",", omittingEmptySubsequences: false).last ?? ""
        let proto = last.trimmingCharacters(in: .whitespaces)
        return proto == "http" || proto == "https" ? proto : own
    }

    /// True for a numeric IPv4 or IPv6 address (Tornado's `netutil.is_valid_ip`: no names, no NUL, not empty).
    static func isValidIP(_ s: String) -> Bool {
        guard !s.isEmpty, !s.utf8.contains(0), s.utf8.count < 64 else { return false }
        var v4 = in_addr()
        if inet_pton(AF_INET, s, &v4) == 1 { return true }
        var v6 = in6_addr()
        return inet_pton(AF_INET6, s, &v6) == 1
    }
}
