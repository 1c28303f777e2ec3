// SwiftNIO peer for the reactor benchmark: one event-loop thread, the classic echo handler.
//   nio-server echo PORT     echo server on 127.0.0.1:PORT; prints "listening"
//   nio-server timers N      N scheduleTask+cancel pairs on the loop, two ways; prints the rates
import Foundation
import NIOCore
import NIOPosix

final class EchoHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.write(data, promise: nil)
    }
    func channelReadComplete(context: ChannelHandlerContext) {
        context.flush()
    }
}

func monotonic() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

var rl = rlimit()
getrlimit(Int32(RLIMIT_NOFILE.rawValue), &rl)
rl.rlim_cur = rl.rlim_max
setrlimit(Int32(RLIMIT_NOFILE.rawValue), &rl)

let args = CommandLine.arguments
guard args.count >= 3, let n = Int(args[2]) else {
    FileHandle.standardError.write("usage: nio-server echo PORT | timers N\n".data(using: .utf8)!)
    exit(2)
}
let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)

switch args[1] {
case "echo":
    let bootstrap = ServerBootstrap(group: group)
        .serverChannelOption(ChannelOptions.backlog, value: 1024)
        .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
        .childChannelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
        .childChannelInitializer { channel in
            channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(EchoHandler()) }
        }
    let channel = try bootstrap.bind(host: "127.0.0.1", port: n).wait()
    print("listening")
    fflush(stdout)
    try channel.closeFuture.wait()
case "timers":
    let loop = group.next()
    let out = try loop.submit { () -> (Double, Double) in
        var calls: [Scheduled<Void>] = []
        calls.reserveCapacity(n)
        let t0 = monotonic()
        for _ in 0..<n { calls.append(loop.scheduleTask(in: .seconds(1)) {}) }
        for c in calls { c.cancel() }
        let t1 = monotonic()
        calls = []
        let t2 = monotonic()
        for _ in 0..<n { loop.scheduleTask(in: .seconds(1)) {}.cancel() }
        let t3 = monotonic()
        return (Double(n) / (t1 - t0), Double(n) / (t3 - t2))
    }.wait()
    print(String(format: "batch pairs/s %.0f", out.0))
    print(String(format: "interleaved pairs/s %.0f", out.1))
    fflush(stdout)
    exit(0)
default:
    exit(2)
}
