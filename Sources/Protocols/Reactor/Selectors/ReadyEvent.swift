/// One ready descriptor, as a selector reports it. `tag` is what was passed at registration (fd and generation).
struct ReadyEvent {
    var tag: UInt64 = 0
    var readable = false
    var writable = false
    /// Error or hang-up: the handler should read (to see EOF/the error) and then close.
    var hangup = false
}
