/// The mutable state of one render: the variable slots and the output buffer.
///
/// A frame is created per `render` call and used by one thread only; compiled closures receive it as their
/// argument. Slots hold nil until assigned (reading one is a NameError).
final class RenderFrame {
    var slots: [TemplateValue?]
    var out: [UInt8]

    init(slots: [TemplateValue?], out: [UInt8]) {
        self.slots = slots
        self.out = out
    }
}

/// How a statement finished: normally, or by `{% break %}` / `{% continue %}` travelling up to its loop.
enum Flow {
    case normal
    case breakLoop
    case continueLoop
}

/// A compiled expression.
typealias Evaluator = @Sendable (RenderFrame) throws -> TemplateValue
/// A compiled statement (a node or a sequence of nodes).
typealias Executor = @Sendable (RenderFrame) throws -> Flow
