import Testing
import TwisterHTTP

/// HTTP-date (RFC 9110 §5.6.7): IMF-fixdate out, the three historical formats in.
@Suite struct HTTPDateTests {
    @Test func formatsIMFFixdateAndParsesTheThreeFormats() {
        #expect(HTTPDate.parse(HTTPDate.format(784111777)) == 784111777)
        #expect(HTTPDate.format(784111777) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(HTTPDate.parse("Sunday, 06-Nov-94 08:49:37 GMT") == 784111777)
        #expect(HTTPDate.parse("Sun Nov  6 08:49:37 1994") == 784111777)
        #expect(HTTPDate.parse("garbage") == nil)
    }
}
