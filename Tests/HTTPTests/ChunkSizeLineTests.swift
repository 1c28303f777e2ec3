import Testing
import TwisterHTTP

/// The chunk-size line rules shared by the server (strict) and the client (lenient).
@Suite struct ChunkSizeLineTests {
    func parse(_ s: String, strict: Bool) -> Result<Int, ChunkSizeLine.Defect> {
        Array(s.utf8).withUnsafeBytes { ChunkSizeLine.parse($0, strict: strict) }
    }

    @Test func bothPoliciesReadSizesAndSkipExtensions() {
        for strict in [true, false] {
            #expect(parse("0", strict: strict) == .success(0))
            #expect(parse("1aF", strict: strict) == .success(0x1AF))
            #expect(parse("10;name=value", strict: strict) == .success(16))
            #expect(parse("10 \t;x", strict: strict) == .success(16))
            #expect(parse("fffffffffffffff", strict: strict) == .success(0xFFF_FFFF_FFFF_FFFF))
            #expect(parse("1000000000000000", strict: strict) == .failure(.tooLarge))
            #expect(parse("", strict: strict) == .failure(.noSize))
            #expect(parse("0x10", strict: strict) == .failure(.badAfterSize))
            #expect(parse("-1", strict: strict) == .failure(.noSize))
            #expect(parse("5;a\u{1}", strict: strict) == .failure(.badExtension))
        }
    }

    @Test func theServerIsStrictWhereTheClientIsLenient() {
        #expect(parse("5 ", strict: true) == .failure(.badAfterSize))
        #expect(parse("5 ", strict: false) == .success(5))
        #expect(parse("5;é", strict: true) == .failure(.badExtension))
        #expect(parse("5;é", strict: false) == .success(5))
    }
}
