import Foundation
import TwisterWeb

/// The chat demo's handlers (Tornado's `demos/chat/chatdemo.py`, with its name-only login).
/// The signed cookie `chatdemo_user` holds the user's name.
@ReactorActor
class ChatBaseHandler: RequestHandler {
    /// Given by the route (``chatApplication``'s `URLSpec(…) { $0.buffer = buffer }`).
    var buffer: ChatMessageBuffer!

    override func getCurrentUser() -> Any? { getSecureCookie("chatdemo_user") }

    var userName: String { currentUser as? String ?? "" }

    static func templateValue(_ m: ChatMessage) -> TemplateValue {
        ["id": .string(m.id), "body": .string(m.body), "html": .string(m.html)]
    }
}

/// `GET /`: the page with the recent messages (login required).
final class ChatMainHandler: ChatBaseHandler {
    override func get() throws -> HandlerResult {
        try authenticated {
            try render("index.html", ["messages": .array(buffer.cache.map(Self.templateValue)), "user": .string(userName)])
            return .done
        }
    }
}

/// `POST /a/message/new` (field `body`): stores the message and answers it as JSON, or redirects to `next`.
final class ChatMessageNewHandler: ChatBaseHandler {
    override func post() throws -> HandlerResult {
        try authenticated {
            let id = UUID().uuidString.lowercased()
            let body = try getArgument("body")
            let html = try renderString("message.html", ["message": ["id": .string(id), "body": .string(body), "from": .string(userName)]])
            let message = ChatMessage(id: id, body: body, html: html)
            if let next = try getArgument("next", default: nil) {
                try redirect(next.hasPrefix("/") && !next.hasPrefix("//") ? next : "/")
            } else {
                try write(json: message)
            }
            buffer.add(message)
            return .done
        }
    }
}

/// `POST /a/message/updates` (field `cursor`): answers `{"messages": [...]}` at once when there are newer
/// messages, else parks a Deferred waiter until there are. A waiter whose client goes away is dropped.
final class ChatMessageUpdatesHandler: ChatBaseHandler {
    private var waiter: Deferred<Void>?
    private var cursor: String?

    struct Updates: Encodable { var messages: [ChatMessage] }

    override func post() throws -> HandlerResult {
        try authenticated {
            cursor = try getArgument("cursor", default: nil)
            return .deferred(respondWhenReady())
        }
    }

    private func respondWhenReady() -> Deferred<Void> {
        let messages = buffer.messages(since: cursor)
        if !messages.isEmpty {
            waiter = nil
            do { try write(json: Updates(messages: messages)) } catch { return Deferred.fail(error) }
            return Deferred.succeed(())
        }
        let d = buffer.wait()
        waiter = d
        return d.addDeferredCallback { _ in self.respondWhenReady() }
    }

    override func onConnectionClose() {
        if let w = waiter { buffer.cancel(w) }
        waiter = nil
    }
}

/// `GET /auth/login` shows the form; `POST /auth/login` (field `name`) sets the signed cookie and redirects to
/// `next` (a local path) or `/`.
final class ChatLoginHandler: ChatBaseHandler {
    override func get() throws -> HandlerResult {
        try render("login.html", ["next": .string(try getArgument("next", default: "/") ?? "/"), "error": false])
        return .done
    }

    override func post() throws -> HandlerResult {
        let name = try getArgument("name")
        guard !name.isEmpty, name.count <= 64 else {
            setStatus(400)
            try render("login.html", ["next": "/", "error": true])
            return .done
        }
        try setSecureCookie("chatdemo_user", name, options: CookieOptions(httpOnly: true, sameSite: .lax))
        let next = try getArgument("next", default: "/") ?? "/"
        try redirect(next.hasPrefix("/") && !next.hasPrefix("//") ? next : "/")
        return .done
    }
}

/// `GET /auth/logout`: clears the cookie and goes back to the login page.
final class ChatLogoutHandler: ChatBaseHandler {
    override func get() throws -> HandlerResult {
        clearCookie("chatdemo_user")
        try redirect("/auth/login")
        return .done
    }
}

/// The chat application: its routes, templates and static files (all in memory).
@ReactorActor
func makeChatApplication(cookieSecret: String, debug: Bool = false, log: ((String) -> Void)? = nil) -> Application {
    var s = ApplicationSettings()
    s.cookieSecret = CookieSecret(cookieSecret)
    s.loginURL = "/auth/login"
    s.xsrfCookies = true
    s.debug = debug
    s.templateLoader = Loader(templates: ChatTemplates.all)
    s.staticContent = ChatAssets.all
    s.compressResponse = true
    let buffer = ChatMessageBuffer()
    buffer.log = log
    return Application([
        URLSpec("/", ChatMainHandler.self, name: "main") { $0.buffer = buffer },
        URLSpec("/a/message/new", ChatMessageNewHandler.self) { $0.buffer = buffer },
        URLSpec("/a/message/updates", ChatMessageUpdatesHandler.self) { $0.buffer = buffer },
        URLSpec("/auth/login", ChatLoginHandler.self, name: "login") { $0.buffer = buffer },
        URLSpec("/auth/logout", ChatLogoutHandler.self) { $0.buffer = buffer },
    ], settings: s)
}
