# Twisted peer for the clients benchmark: twisted.protocols.memcache.MemCacheProtocol over one connection,
# commands issued in batches of DEPTH (the next batch once the whole batch has answered), as the Twister side.
#   python twisted_memcache.py N DEPTH [PORT]    prints "set/s X", "get/s X" and the same per CPU-second of this process
import sys, time
from twisted.internet import epollreactor
epollreactor.install()
from twisted.internet import reactor, defer, protocol
from twisted.protocols.memcache import MemCacheProtocol

n, depth = int(sys.argv[1]), int(sys.argv[2])
port = int(sys.argv[3]) if len(sys.argv) > 3 else 11211

@defer.inlineCallbacks
def main():
    mc = yield protocol.ClientCreator(reactor, MemCacheProtocol).connectTCP("127.0.0.1", port)
    for name, op in (("set", lambda: mc.set(b"key:__rand_int__", b"xxx")),
                     ("get", lambda: mc.get(b"key:__rand_int__"))):
        t, c = time.perf_counter(), time.process_time()
        for _ in range(n // depth):
            ds = [op() for _ in range(depth)]
            yield ds[-1]
        done = (n // depth) * depth
        print(f"{name}/s {done / (time.perf_counter() - t):.0f}", flush=True)
        print(f"{name} per cpu-s {done / (time.process_time() - c):.0f}", flush=True)
    reactor.stop()

reactor.callWhenRunning(main)
reactor.run()
