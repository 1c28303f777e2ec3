/// The reactor's system events (Twisted's `"startup"`, `"shutdown"`).
public enum SystemEvent: Sendable, Hashable {
    case startup, shutdown
}

/// When a system event trigger runs relative to the event (Twisted's `"before"`, `"during"`, `"after"`).
public enum SystemEventPhase: Sendable, Hashable, CaseIterable {
    case before, during, after
}

/// Identifies a trigger for ``Reactor/removeSystemEventTrigger(_:)``.
public struct SystemEventTriggerID: Sendable, Hashable {
    let value: Int
}
