import TwisterWeb

/// One chat message, as the demo stores and sends it (`{"id", "body", "html"}`).
struct ChatMessage: Codable {
    var id: String
    var body: String
    var html: String
}

/// The recent messages and the long-poll waiters (Tornado's chat demo `MessageBuffer`).
///
/// Contract (reactor thread only): ``add(_:)`` appends a message, keeps the last 200, and fires every waiting
/// Deferred once. ``wait()`` returns a Deferred that fires on the next message; ``cancel(_:)`` drops a waiter
/// whose client went away (its Deferred never fires) and reports it to ``log``.
@ReactorActor
final class ChatMessageBuffer {
    private(set) var cache: [ChatMessage] = []
    let cacheSize = 200
    private var waiters: [Deferred<Void>] = []

    /// Waiters currently parked (for tests and the log).
    var waiterCount: Int { waiters.count }

    /// Messages after the one with id `cursor` (all cached ones when the cursor is nil or unknown).
    func messages(since cursor: String?) -> [ChatMessage] {
        var out: [ChatMessage] = []
        for m in cache.reversed() {
            if m.id == cursor { break }
            out.append(m)
        }
        return out.reversed()
    }

    func add(_ message: ChatMessage) {
        cache.append(message)
        if cache.count > cacheSize { cache.removeFirst(cache.count - cacheSize) }
        let w = waiters
        waiters = []
        for d in w { d.callback(()) }
    }

    func wait() -> Deferred<Void> {
        let d = Deferred<Void>()
        waiters.append(d)
        return d
    }

    /// Receives a line when a waiter is dropped (the command prints it on standard error unless `--quiet`).
    var log: ((String) -> Void)?

    func cancel(_ d: Deferred<Void>) {
        let before = waiters.count
        waiters.removeAll { $0.isSame(d) }
        if waiters.count < before { log?("chat: dropped a waiter whose client went away (\(waiters.count) waiting)") }
    }
}
