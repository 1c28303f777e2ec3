/// Something that wants a call at the end of the current loop pass (after I/O, timers and jobs).
@ReactorActor
protocol TickEndHandler: AnyObject {
    func tickEnded()
}
