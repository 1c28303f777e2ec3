import TwisterProtocols

/// The reactor's TCP/UNIX transport sends static file bodies with sendfile(2) (see
/// ``StreamTransport/sendFile(_:offset:count:completion:)`` for the contract).
extension StreamTransport: FileSendingTransport {}
