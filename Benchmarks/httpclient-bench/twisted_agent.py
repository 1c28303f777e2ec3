"""Twisted's Agent: N concurrent keep-alive GET loops for D seconds; prints requests/s and this process's CPU
microseconds per request."""
import sys, time
from twisted.internet import reactor, defer
from twisted.web.client import Agent, HTTPConnectionPool, readBody

url, conns, seconds = sys.argv[1].encode(), int(sys.argv[2]), float(sys.argv[3])
pool = HTTPConnectionPool(reactor, persistent=True)
pool.maxPersistentPerHost = conns
agent = Agent(reactor, pool=pool)
count = [0]

@defer.inlineCallbacks
def loop(end):
    while time.monotonic() < end:
        r = yield agent.request(b"GET", url)
        yield readBody(r)
        count[0] += 1

@defer.inlineCallbacks
def main():
    warm = time.monotonic() + 0.5
    yield defer.gatherResults([loop(warm) for _ in range(conns)])
    count[0] = 0
    start, cpu = time.monotonic(), time.process_time()
    yield defer.gatherResults([loop(start + seconds) for _ in range(conns)])
    print("%.1f %.2f" % (count[0] / (time.monotonic() - start), (time.process_time() - cpu) / count[0] * 1e6))
    reactor.stop()

reactor.callWhenRunning(main)
reactor.run()
