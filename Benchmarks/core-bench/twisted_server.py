# Twisted peer for the reactor benchmark (epoll reactor), driven by reactor-bench.
#   python twisted_server.py echo PORT     echo server on 127.0.0.1:PORT; prints "listening"
#   python twisted_server.py timers N      N callLater+cancel pairs, two ways; prints the rates
import resource, sys, time
from twisted.internet import epollreactor
epollreactor.install()
from twisted.internet import reactor, protocol

soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

class Echo(protocol.Protocol):
    def dataReceived(self, data):
        self.transport.write(data)

mode, n = sys.argv[1], int(sys.argv[2])
if mode == "echo":
    f = protocol.Factory.forProtocol(Echo)
    reactor.listenTCP(n, f, backlog=1024, interface="127.0.0.1")
    print("listening", flush=True)
    reactor.run()
elif mode == "timers":
    def noop(): pass
    def go():
        t0 = time.perf_counter()
        calls = [reactor.callLater(1.0, noop) for _ in range(n)]
        for c in calls: c.cancel()
        t1 = time.perf_counter()
        del calls
        t2 = time.perf_counter()
        for _ in range(n): reactor.callLater(1.0, noop).cancel()
        t3 = time.perf_counter()
        print(f"batch pairs/s {n / (t1 - t0):.0f}")
        print(f"interleaved pairs/s {n / (t3 - t2):.0f}", flush=True)
        import os; os._exit(0)
    reactor.callWhenRunning(go)
    reactor.run()
