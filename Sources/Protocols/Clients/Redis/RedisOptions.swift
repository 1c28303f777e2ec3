/// How a ``RedisProtocol`` connects: credentials, database, protocol version, timeout.
public struct RedisOptions: Sendable {
    /// Sent with `AUTH` (or `HELLO 3 AUTH`) on connect.
    public var password: String?
    /// ACL user name for `AUTH` (default user when nil).
    public var username: String?
    /// Database selected with `SELECT` on connect (0: no SELECT).
    public var database: Int
    /// Speak RESP3 (`HELLO 3` on connect): maps, sets, doubles, booleans and push messages come typed.
    public var resp3: Bool
    /// Sent with `CLIENT SETNAME` (or HELLO's SETNAME) when given.
    public var clientName: String?
    /// Seconds a pending call may wait for a reply byte before every pending call fails and the connection
    /// closes; 0 turns it off (the default, as blocking commands such as BLPOP wait on purpose).
    public var timeout: Double

    public init(password: String? = nil, username: String? = nil, database: Int = 0, resp3: Bool = false,
                clientName: String? = nil, timeout: Double = 0) {
        self.password = password
        self.username = username
        self.database = database
        self.resp3 = resp3
        self.clientName = clientName
        self.timeout = timeout
    }
}
