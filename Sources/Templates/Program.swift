/// A compiled template: one closure tree plus the slot layout its frames use.
struct Program: Sendable {
    let run: Executor
    /// Slot names, in slot order; the caller's values fill slots by name before a render.
    let slotNames: [String]
    /// Slot contents before the caller's values: loader namespace, then built-in functions, else unset.
    let initialSlots: [TemplateValue?]
    /// Bytes of literal text in the program, used to size the output buffer.
    let textSize: Int

    /// Runs the program, appending to `out`.
    func render(into out: inout [UInt8], values: [String: TemplateValue]) throws {
        let frame = RenderFrame(slots: initialSlots)
        if !values.isEmpty {
            for i in slotNames.indices {
                if let v = values[slotNames[i]] { frame.slots[i] = v }
            }
        }
        swap(&frame.out.pointee, &out)
        defer { swap(&frame.out.pointee, &out) }
        frame.out.pointee.reserveCapacity(frame.out.pointee.count + textSize * 2)
        _ = try run(frame)
    }
}
