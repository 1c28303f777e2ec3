@_exported import TwisterProtocols
