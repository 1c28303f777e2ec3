import TwisterProtocols
import TwisterHTTP

/// Writing the response head (reactor thread only): the status line, the application's headers (refused, with a
/// log line, when a name is not a token or a value has control bytes), `Date` and `Server`, and the framing
/// headers this request decides (Content-Length, chunked, Connection); and the output of body bytes.
extension Request {
    /// Writes bytes of the response to the connection (or to ``detachedOutput`` without one); nothing once the
    /// client is gone.
    func send(_ data: ByteBuffer) {
        if let channel { if !disconnected { channel.transport?.write(data) } } else { detachedOutput.writeImmutableBuffer(data) }
    }

    /// Appends `data` as one chunk of a chunked body.
    func appendChunk(_ out: inout ByteBuffer, _ data: ByteBuffer) {
        appendHex(&out, data.readableBytes)
        out.writeBytes([HTTPBytes.cr, HTTPBytes.lf])
        out.writeImmutableBuffer(data)
        out.writeBytes([HTTPBytes.cr, HTTPBytes.lf])
    }

    nonisolated func appendHex(_ out: inout ByteBuffer, _ n: Int) {
        var shift = (Int.bitWidth - n.leadingZeroBitCount + 3) / 4 * 4 - 4
        if n == 0 { out.writeByte(0x30); return }
        while shift >= 0 {
            let d = UInt8((n >> shift) & 15)
            out.writeByte(d < 10 ? 0x30 + d : 0x57 + d)
            shift -= 4
        }
    }

    /// Builds the status line and headers, decides the framing, and marks the head as sent.
    func makeHead(contentLength: Int?, bodyHint: Int) -> ByteBuffer {
        startedWriting = true
        var out = ByteBuffer(capacity: 160 + responseHeaders.count * 40 + bodyHint)
        if code == 200 && codeMessage == nil {
            out.writeStatic("HTTP/1.1 200 OK\r\n")
        } else {
            out.writeStatic("HTTP/1.1 ")
            out.writeByte(UInt8(0x30 + (code / 100) % 10))
            out.writeByte(UInt8(0x30 + (code / 10) % 10))
            out.writeByte(UInt8(0x30 + code % 10))
            out.writeByte(HTTPBytes.sp)
            if let m = codeMessage { Self.appendSanitized(&out, m) } else { out.writeString(HTTPStatus.reason(code)) }
            out.writeStatic("\r\n")
        }

        var hasDate = false, hasServer = false, hasType = false, appLength: Int? = nil, appConnectionClose = false, appConnectionOther = false
        for (name, value) in responseHeaders {
            let kind = Self.headName(name)
            guard kind != .invalid, Self.validValue(value) else {
                HTTPLog.misuse("refused response header with invalid bytes: \(name.debugDescription)")
                continue
            }
            switch kind {
            case .date: hasDate = true
            case .server: hasServer = true
            case .contentType: hasType = true
            case .contentLength:
                guard let v = Int(value), v >= 0, Self.allDigits(value) else {
                    HTTPLog.misuse("refused invalid Content-Length \(value.debugDescription)")
                    continue
                }
                appLength = v
                if contentLength != nil { continue }
            case .transferEncoding: continue
            case .connection:
                if HTTPHeaders.equalsIgnoringCase(value, "close") { appConnectionClose = true; continue }
                if code == 101 { appConnectionOther = true; break }   // e.g. `Connection: Upgrade`
                continue
            case .other, .invalid: break
            }
            out.writeString(name); out.writeStatic(": "); out.writeString(value); out.writeStatic("\r\n")
        }
        if !hasDate { out.writeBytes(HTTPDateCache.dateLine()) }
        if !hasServer, let s = channel?.settings.serverName ?? site?.settings.serverName {
            out.writeStatic("Server: "); out.writeString(s); out.writeStatic("\r\n")
        }
        let length = contentLength ?? appLength
        if contentLength == nil, let appLength, !bodyForbidden { declaredLength = appLength }
        if let contentLength {
            out.writeStatic("Content-Length: "); out.writeDecimal(UInt64(contentLength)); out.writeStatic("\r\n")
        }
        if length == nil && !bodyForbidden {
            if minorVersion == 1 {
                chunked = true
                out.writeStatic("Transfer-Encoding: chunked\r\n")
            } else {
                persistent = false   // HTTP/1.0 without a length: the body ends at close.
            }
        }
        if !hasType && !HTTPStatus.forbidsBody(code) && length != 0 {
            out.writeStatic("Content-Type: text/html\r\n")
        }
        if appConnectionClose { persistent = false }
        if let channel, channel.isReadingBody(of: self) { persistent = false }
        if appConnectionOther {
            // The app's own Connection header (a protocol switch) went out above.
        } else if !persistent {
            out.writeStatic("Connection: close\r\n")
        } else if minorVersion == 0 {
            out.writeStatic("Connection: keep-alive\r\n")
        }
        out.writeStatic("\r\n")
        return out
    }

    /// What ``makeHead(contentLength:bodyHint:)`` does with a response header, by its name.
    private enum HeadName { case invalid, other, date, server, contentType, contentLength, transferEncoding, connection }

    /// Checks that `name` is a non-empty token (a bitmap lookup per byte) and tells the names the head treats
    /// specially (compared case-insensitively), in one pass over its UTF-8.
    private nonisolated static func headName(_ name: String) -> HeadName {
        var name = name
        return name.withUTF8 { p in
            if p.isEmpty { return .invalid }
            for c in p where !HTTPBytes.isTokenChar(c) { return .invalid }
            let raw = UnsafeRawBufferPointer(p)
            switch p.count {
            case 4 where HTTPBytes.equalsLowercase(raw, "date"): return .date
            case 6 where HTTPBytes.equalsLowercase(raw, "server"): return .server
            case 12 where HTTPBytes.equalsLowercase(raw, "content-type"): return .contentType
            case 14 where HTTPBytes.equalsLowercase(raw, "content-length"): return .contentLength
            case 17 where HTTPBytes.equalsLowercase(raw, "transfer-encoding"): return .transferEncoding
            case 10 where HTTPBytes.equalsLowercase(raw, "connection"): return .connection
            default: return .other
            }
        }
    }

    private nonisolated static func allDigits(_ s: String) -> Bool { s.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }

    /// Only HTAB, SP, VCHAR and obs-text (``HTTPBytes/isFieldValue(_:)``), on the contiguous UTF-8 of a native string.
    private nonisolated static func validValue(_ s: String) -> Bool {
        var s = s
        return s.withUTF8 { HTTPBytes.isFieldValue(UnsafeRawBufferPointer($0)) }
    }

    private nonisolated static func appendSanitized(_ out: inout ByteBuffer, _ s: String) {
        for c in s.utf8 { out.writeByte(HTTPBytes.isFieldValueByte(c) ? c : HTTPBytes.sp) }
    }
}
