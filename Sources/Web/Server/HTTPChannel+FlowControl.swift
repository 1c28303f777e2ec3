import TwisterProtocols
import TwisterHTTP

/// Flow control of a channel (reactor thread only), both ways. Reading: paused while any ``ReadPauseReasons``
/// holds (the application's, pipelined input above ``HTTPServerSettings/maxPipelineBuffer``, a full write
/// buffer) and resumed when none does. Writing: the channel is the transport's streaming producer; it passes
/// pause/resume on to the response's producer (a streaming one is paused and resumed, a pull one asked for
/// pieces while the transport takes more).
extension HTTPChannel {
    /// Pauses reading from the transport for `reason` (again, if it already was for another).
    func pauseReading(_ reason: ReadPauseReasons) {
        readPause.insert(reason)
        transport?.pauseProducing()
    }

    /// Ends the pause for `reason`; reading resumes when no other reason holds.
    func resumeReading(_ reason: ReadPauseReasons) {
        readPause.remove(reason)
        if readPause.isEmpty { transport?.resumeProducing() }
    }

    func registerResponseProducer(_ producer: any Producer, streaming: Bool) {
        if responseProducer != nil {
            // Twisted raises; a server must not crash: refuse the second producer by stopping it.
            HTTPLog.misuse("a producer is already registered with this request; stopping the second one")
            producer.stopProducing()
            return
        }
        responseProducer = producer
        responseStreaming = streaming
        if streaming {
            if readPause.contains(.writeBackpressure) { producer.pauseProducing() }
        } else if !readPause.contains(.writeBackpressure) {
            drivePull()
        }
    }

    func unregisterResponseProducer() {
        responseProducer = nil
    }

    /// Pull producers write one piece per `resumeProducing`: keep asking while the transport takes more.
    func drivePull() {
        if drivingPull { return }
        drivingPull = true
        defer { drivingPull = false }
        while let p = responseProducer, !responseStreaming, !readPause.contains(.writeBackpressure), state != .closing {
            let before = current?.sentLength ?? 0
            p.resumeProducing()
            if responseProducer === p, (current?.sentLength ?? 0) == before, current != nil { break }
        }
    }

    // MARK: Producer (the transport drives us)

    public func pauseProducing() {
        readPause.insert(.writeBackpressure)
        if let p = responseProducer, responseStreaming { p.pauseProducing() }
        transport?.pauseProducing()
    }

    public func resumeProducing() {
        resumeReading(.writeBackpressure)
        if let p = responseProducer {
            if responseStreaming { p.resumeProducing() } else { drivePull() }
        }
    }

    public func stopProducing() {
        if let p = responseProducer { responseProducer = nil; p.stopProducing() }
    }
}
