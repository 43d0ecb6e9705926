/// `--web.config.file`: TLS and basic auth in the exporter-toolkit format that node_exporter uses.
public struct WebConfiguration: Sendable, Equatable {
    /// `tls_server_config`: serve HTTPS.
    public struct TLS: Sendable, Equatable {
        public enum Version: String, Sendable, CaseIterable {
            case tls10 = "TLS10"
            case tls11 = "TLS11"
            case tls12 = "TLS12"
            case tls13 = "TLS13"
        }

        /// The client certificate policies the exporter supports, by their exporter-toolkit names.
        public enum ClientAuth: String, Sendable, CaseIterable {
            case none = "NoClientCert"
            case verifyIfGiven = "VerifyClientCertIfGiven"
            case requireAndVerify = "RequireAndVerifyClientCert"
        }

        public var certificateFile: String
        public var keyFile: String
        public var minimumVersion: Version
        public var clientCAFile: String?
        public var clientAuth: ClientAuth
    }

    public var tls: TLS?
    /// User name → bcrypt hash (`$2a$`, `$2b$` or `$2y$`, as `htpasswd -nBC 10` writes it).
    public var basicAuthUsers: [String: String]
    /// `http_server_config.headers`: added to every response.
    public var headers: [(String, String)]

    /// The security headers `http_server_config.headers` may set, as in the exporter-toolkit.
    public static let allowedHeaders = [
        "Content-Security-Policy", "Strict-Transport-Security", "X-Content-Type-Options", "X-Frame-Options", "X-XSS-Protection",
    ]

    public init(tls: TLS? = nil, basicAuthUsers: [String: String] = [:], headers: [(String, String)] = []) {
        self.tls = tls
        self.basicAuthUsers = basicAuthUsers
        self.headers = headers
    }

    public static func == (lhs: WebConfiguration, rhs: WebConfiguration) -> Bool {
        lhs.tls == rhs.tls && lhs.basicAuthUsers == rhs.basicAuthUsers && lhs.headers.elementsEqual(rhs.headers, by: ==)
    }
}
