
/// A transport that can send part of a file without copying it through user space (sendfile(2)).
///
/// The reactor's TCP/UNIX ``StreamTransport`` adopts it (see ``StreamTransport/sendFile(_:offset:count:completion:)``);
/// TwisterWeb's static `File` resource uses it for bodies of at least `File.sendfileThreshold` bytes and otherwise falls back to a pull producer reading 64 KiB at a time.
///
/// Contract: the bytes go out after everything already written, in order with later writes; `completion` runs on
/// the reactor thread once all `count` bytes were handed to the kernel (`.success`) or the connection failed.
/// The transport does not close `fd`; the caller keeps it open until `completion`.
@ReactorActor
public protocol FileSendingTransport: Transport {
    func sendFile(_ fd: Int32, offset: Int, count: Int, completion: @escaping (Result<Void, ConnectionError>) -> Void)
}
