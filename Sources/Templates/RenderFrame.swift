/// The mutable state of one render: the variable slots and the output buffer.
///
/// A frame is created per `render` call and used by that call's thread only; compiled closures receive it as
/// their argument. Slots hold nil until assigned (reading one is a NameError).
///
/// Slots and output live in manually allocated memory owned by the frame (freed in `deinit`): access through
/// the pointers skips the dynamic exclusivity checks and copies that class-stored arrays would cost on every
/// node of the hot path.
final class RenderFrame {
    let slots: UnsafeMutablePointer<TemplateValue?>
    let slotCount: Int
    let out: UnsafeMutablePointer<[UInt8]>

    init(slots initial: [TemplateValue?]) {
        slotCount = initial.count
        let s = UnsafeMutablePointer<TemplateValue?>.allocate(capacity: max(initial.count, 1))
        initial.withUnsafeBufferPointer { buffer in
            if let base = buffer.baseAddress { s.initialize(from: base, count: buffer.count) }
        }
        slots = s
        out = .allocate(capacity: 1)
        out.initialize(to: [])
    }

    deinit {
        slots.deinitialize(count: slotCount)
        slots.deallocate()
        out.deinitialize(count: 1)
        out.deallocate()
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

/// An executor stored in an array. Arrays hold closures at maximal abstraction, which costs a reabstraction
/// thunk per call; a struct wrapper keeps the closure's natural calling convention.
struct ExecutorBox: Sendable {
    let run: Executor
}

/// An evaluator stored in an array (see ``ExecutorBox``).
struct EvaluatorBox: Sendable {
    let run: Evaluator
}
