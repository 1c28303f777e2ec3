import Foundation
import Testing
import TwisterWeb

/// `import Foundation` beside `import TwisterWeb` leaves no name ambiguous: this file compiling is most of the
/// test (each name below was ambiguous, or a client/server twin, before the web layer's names were settled).
@Suite struct UmbrellaNamesTests {
    @Test func foundationAndTwisterWebNamesDoNotCollide() {
        let data = Data("x".utf8)  // Foundation's
        #expect(data.count == 1)
        let types: [Any.Type] = [StaticData.self, StaticFile.self, WebSession.self, HashDigest.self, Base64Coding.self,
                                 AgentRequest.self, AgentResponse.self, FetchRequest.self, FetchResponse.self,
                                 HTTPClientError.self, Request.self, URL.self, JSONEncoder.self]
        #expect(types.count == 13)
        #expect(Base64Coding.encode(Array("hi".utf8)) == Data("hi".utf8).base64EncodedString())
    }
}
