extension HTTPClient {
    /// Settings of the shared multi handle; per-request settings live in ``HTTPRequest``.
    public struct Configuration: Sendable {
        /// Parallel connections to one host; further transfers wait in curl's queue. With HTTP/2 the
        /// transfers to one host are multiplexed over one connection instead.
        public var maxConnectionsPerHost: Int
        /// Parallel connections overall; 0 for no limit.
        public var maxTotalConnections: Int
        /// Idle connections kept open for reuse.
        public var connectionCacheSize: Int
        /// Sent as `User-Agent` unless the request sets one.
        public var userAgent: String

        public init(
            maxConnectionsPerHost: Int = 16,
            maxTotalConnections: Int = 256,
            connectionCacheSize: Int = 64,
            userAgent: String = "flow"
        ) {
            self.maxConnectionsPerHost = maxConnectionsPerHost
            self.maxTotalConnections = maxTotalConnections
            self.connectionCacheSize = connectionCacheSize
            self.userAgent = userAgent
        }
    }
}
