import Testing
import Foundation
@testable import TwisterProtocols

/// A temporary file of `size` bytes: a repeating, position-dependent pattern, or a sparse file of zeros.
final class TempFile {
    let path: String
    let fd: Int32
    let bytes: [UInt8]

    init(size: Int, sparse: Bool = false) {
        var t = Array("/tmp/twister-sendfile-XXXXXX".utf8CString)
        fd = t.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        path = t.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        if sparse {
            bytes = []
            _ = ftruncate(fd, off_t(size))
        } else {
            // A pointer loop, not `(0..<size).map`: unspecialized in a debug build, the map took seconds for 5 MiB
            // on a loaded machine, on the reactor thread every other suite's real-socket tests share.
            bytes = [UInt8](unsafeUninitializedCapacity: size) { b, n in
                for i in 0..<size { b[i] = UInt8(truncatingIfNeeded: i &* 7 &+ i >> 12) }
                n = size
            }
            var done = 0
            bytes.withUnsafeBytes { p in
                while done < size { done += max(0, Foundation.write(fd, p.baseAddress! + done, size - done)) }
            }
        }
    }

    deinit { close(fd); unlink(path) }
}

/// The completion of a `sendFile`, as a Deferred.
@ReactorActor
func sendFile(_ t: StreamTransport, _ fd: Int32, offset: Int, count: Int) -> Deferred<Result<Void, ConnectionError>> {
    let d = Deferred<Result<Void, ConnectionError>>()
    t.sendFile(fd, offset: offset, count: count) { r in
        #expect(Reactor.shared.isInReactorThread)
        #expect(!d.called, "completion called twice")
        if !d.called { d.callback(r) }
    }
    return d
}

@Suite struct SendFileTests {
    static let mib = 1024 * 1024

    /// A server-side StreamTransport and the connected client.
    @ReactorActor
    func connected() async throws -> (any ListeningPort, StreamTransport, RecordingProtocol) {
        let server = TestServerFactory()
        let (port, n) = try listenLocal(server)
        let (_, client) = try await connectLocal(n)
        let s = try await server.first()
        return (port, s.transport as! StreamTransport, client)
    }

    @ReactorActor func sendsRangeBetweenTwoWrites(pread: Bool) async throws {
        let file = TempFile(size: 5 * Self.mib + 5000)
        let (port, t, client) = try await connected()
        defer { _ = port.stopListening() }
        t.sendfileDisabled = pread
        t.write("first write|")
        let done = sendFile(t, file.fd, offset: 1234, count: 5 * Self.mib)
        t.write("|second write")
        #expect(t.bufferedBytes >= 5 * Self.mib)
        let expected = Array("first write|".utf8) + file.bytes[1234..<(1234 + 5 * Self.mib)] + Array("|second write".utf8)
        #expect(try await client.waitFor(bytes: expected.count, timeout: 10))
        #expect(try await resultOf(done, timeout: 10).isSuccess)
        #expect(client.received.readableBytes == expected.count)
        #expect(bytesOf(client.received) == expected)
        #expect(t.bufferedBytes == 0)
        t.loseConnection()
        #expect(try await resultOf(client.lost) == .done)
    }

    @Test @ReactorActor func fileRangeGoesOutBetweenTheWritesAroundIt() async throws {
        try await sendsRangeBetweenTwoWrites(pread: false)
    }

    @Test @ReactorActor func preadFallbackKeepsTheSameOrder() async throws {
        try await sendsRangeBetweenTwoWrites(pread: true)
    }

    @Test @ReactorActor func slowReaderGetsEverythingAndStreamingProducerIsPausedMeanwhile() async throws {
        let file = TempFile(size: 5 * Self.mib)
        let (port, t, client) = try await connected()
        defer { _ = port.stopListening() }
        client.transport?.pauseProducing()
        let producer = FloodProducer(t, limit: 0)   // writes nothing; only watches pause/resume
        t.registerProducer(producer, streaming: true)
        let done = sendFile(t, file.fd, offset: 0, count: 5 * Self.mib)
        t.write("tail")
        #expect(producer.pauses == 1)
        try await sleep(0.2)
        #expect(!done.called || t.bufferedBytes == 0)
        client.transport?.resumeProducing()
        #expect(try await client.waitFor(bytes: 5 * Self.mib + 4, timeout: 10))
        #expect(try await resultOf(done, timeout: 10).isSuccess)
        #expect(bytesOf(client.received) == file.bytes + Array("tail".utf8))
        #expect(try await eventually { producer.resumes == 1 })
        t.unregisterProducer()
        t.loseConnection()
        #expect(try await resultOf(client.lost) == .done)
    }

    @Test @ReactorActor func abortMidFileFailsTheCompletion() async throws {
        let file = TempFile(size: 256 * Self.mib, sparse: true)   // more than the socket buffers take
        let (port, t, client) = try await connected()
        defer { _ = port.stopListening() }
        client.transport?.pauseProducing()
        let done = sendFile(t, file.fd, offset: 0, count: 256 * Self.mib)
        #expect(try await eventually { t.bufferedBytes < 256 * Self.mib })   // some went out
        try await sleep(0.05)
        #expect(!done.called)
        t.abortConnection()
        #expect(!done.called)   // never from inside the transport call
        #expect(try await resultOf(done).failure == .aborted)
        client.transport?.resumeProducing()
        #expect(try await resultOf(client.lost) != .done)
    }

    @Test @ReactorActor func loseConnectionAfterSendFileClosesOnlyOnceTheBytesAreOut() async throws {
        let file = TempFile(size: 5 * Self.mib)
        let (port, t, client) = try await connected()
        defer { _ = port.stopListening() }
        client.transport?.pauseProducing()
        let done = sendFile(t, file.fd, offset: 0, count: 5 * Self.mib)
        t.loseConnection()
        try await sleep(0.1)
        #expect(t.isConnected)
        var receivedWhenLost = -1
        client.lost.addCallback { e in receivedWhenLost = client.received.readableBytes; return e }
        client.transport?.resumeProducing()
        #expect(try await resultOf(client.lost, timeout: 10) == .done)
        #expect(receivedWhenLost == 5 * Self.mib)
        #expect(bytesOf(client.received) == file.bytes)
        #expect(try await resultOf(done).isSuccess)
        #expect(fcntl(file.fd, F_GETFD) >= 0)   // the caller's descriptor is still open
    }

    @Test @ReactorActor func sendFileOnAClosingTransportFailsLater() async throws {
        let file = TempFile(size: 100)
        let (port, t, client) = try await connected()
        defer { _ = port.stopListening() }
        t.loseConnection()
        let done = sendFile(t, file.fd, offset: 0, count: 100)
        #expect(!done.called)
        if case .success = try await resultOf(done) { Issue.record("expected a failure") }
        _ = try await resultOf(client.lost)
    }

    @Test @ReactorActor func fileShorterThanTheRangeFailsAndCloses() async throws {
        let file = TempFile(size: 1000)
        let (port, t, client) = try await connected()
        defer { _ = port.stopListening() }
        let done = sendFile(t, file.fd, offset: 0, count: 2000)
        if case .success = try await resultOf(done) { Issue.record("expected a failure") }
        _ = try await resultOf(client.lost)
        #expect(client.received.readableBytes == 1000)
    }
}

extension Result {
    var isSuccess: Bool { if case .success = self { return true } else { return false } }
}

extension Result {
    var failure: Failure? { if case .failure(let e) = self { return e } else { return nil } }
}

func bytesOf(_ b: ByteBuffer) -> [UInt8] { b.withUnsafeReadableBytes { Array($0) } }
