/// Every key of a SCAN iteration, fetched a page at a time as the sequence is iterated.
///
/// Contract: the first `next()` sends `SCAN 0`; each page's keys are returned one by one, and the next page is
/// requested only when they are used up; the sequence ends after the page whose cursor is "0". A failed SCAN is
/// thrown from `next()`. SCAN's guarantees apply: keys present throughout are returned at least once.
public struct RedisScanSequence: AsyncSequence, Sendable {
    public typealias Element = ByteBuffer
    let client: any RedisClient
    let match: String?
    let count: Int?

    public struct AsyncIterator: AsyncIteratorProtocol {
        let client: any RedisClient
        let match: String?
        let count: Int?
        var cursor: String? = "0"
        var page: [ByteBuffer] = []
        var index = 0

        public mutating func next() async throws -> ByteBuffer? {
            while index >= page.count {
                guard let c = cursor else { return nil }
                let r = try await client.scanPage(cursor: c, match: match, count: count)
                page = r.keys
                index = 0
                cursor = r.cursor == "0" ? nil : r.cursor
            }
            index += 1
            return page[index - 1]
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(client: client, match: match, count: count) }
}
