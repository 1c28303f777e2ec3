/// Something registered with the reactor for readiness events on a descriptor. Called on the loop thread.
@ReactorActor
protocol IOHandler: AnyObject {
    /// `readable` also covers EOF and errors on a descriptor waiting for reads; `hangup` reports error/hang-up.
    func handleIO(readable: Bool, writable: Bool, hangup: Bool)
}
