import TwisterProtocols
import TwisterHTTP

/// A body producer wrote more or fewer bytes than the length it announced.
public struct WrongBodyLength: Error, Equatable, CustomStringConvertible {
    public let announced: Int
    public let written: Int
    public var description: String { "Body producer announced \(announced) bytes but wrote \(written)" }
}
