import Testing
import TwisterHTTP

/// Splitting a request path into decoded segments (Twisted's `prepath`/`postpath` elements).
@Suite struct URLCodingTests {
    @Test func pathSegmentsAreSplitThenDecoded() {
        #expect(URLCoding.pathSegments("/") == [""])
        #expect(URLCoding.pathSegments("/a/") == ["a", ""])
        #expect(URLCoding.pathSegments("/%2e%2E/x%2Fy") == ["..", "x/y"])
    }
}
