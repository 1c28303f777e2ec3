// Testing helpers: StringTransport, MemoryReactor, loopback pump.
@_exported import TwisterProtocols
