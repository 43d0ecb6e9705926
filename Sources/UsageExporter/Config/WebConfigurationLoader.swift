import Yams

/// Reads `--web.config.file` strictly, with the same problem reporting as the main configuration.
public enum WebConfigurationLoader {
    public static func load(path: String, environment: [String: String] = [:]) throws(ConfigurationError) -> WebConfiguration {
        try parse(yaml: ConfigurationLoader.readFile(path, what: "web configuration file"), file: path, environment: environment)
    }

    public static func parse(yaml: String, file: String, environment: [String: String] = [:]) throws(ConfigurationError) -> WebConfiguration {
        let root = try ConfigurationLoader.compose(yaml, file: file)
        var reader = ConfigurationReader(file: file, environment: environment)
        var configuration = WebConfiguration()
        if let root, !ConfigurationReader.isNull(root),
            let fields = reader.mapping(root, path: "", allowedKeys: ["tls_server_config", "basic_auth_users", "http_server_config"])
        {
            if let node = fields["tls_server_config"] {
                configuration.tls = readTLS(node, reader: &reader)
            }
            if let node = fields["basic_auth_users"] {
                configuration.basicAuthUsers = readUsers(node, reader: &reader)
            }
            if let node = fields["http_server_config"] {
                configuration.headers = readHTTPServerConfig(node, reader: &reader)
            }
        }
        guard reader.problems.isEmpty else { throw ConfigurationError(problems: reader.orderedProblems) }
        return configuration
    }

    private static func readTLS(_ node: Node, reader: inout ConfigurationReader) -> WebConfiguration.TLS? {
        let keys = [
            "cert_file", "key_file", "min_version", "max_version", "client_ca_file", "client_auth_type", "cipher_suites", "curve_preferences",
            "prefer_server_cipher_suites",
        ]
        guard let fields = reader.mapping(node, path: "tls_server_config", allowedKeys: keys) else { return nil }
        let before = reader.problems.count
        func readableFile(_ key: String, required: Bool) -> String? {
            guard let node = fields[key] else {
                if required { reader.report(fields.path(key), fields.node, "is required") }
                return nil
            }
            guard let path = reader.nonEmptyString(node, path: fields.path(key)) else { return nil }
            do {
                _ = try SecretFile.contents(of: path)
            } catch {
                reader.report(fields.path(key), node, "cannot read \"\(path)\": \(error.reason)")
                return nil
            }
            return path
        }
        let certificate = readableFile("cert_file", required: true)
        let key = readableFile("key_file", required: true)
        let clientCA = readableFile("client_ca_file", required: false)
        var version = WebConfiguration.TLS.Version.tls12
        if let node = fields["min_version"], let text = reader.string(node, path: fields.path("min_version")) {
            if let parsed = WebConfiguration.TLS.Version(rawValue: text) {
                version = parsed
            } else {
                reader.report(fields.path("min_version"), node, "must be one of TLS10, TLS11, TLS12, TLS13, found \"\(text)\"")
            }
        }
        var clientAuth = WebConfiguration.TLS.ClientAuth.none
        if let node = fields["client_auth_type"], let text = reader.string(node, path: fields.path("client_auth_type")) {
            if let parsed = WebConfiguration.TLS.ClientAuth(rawValue: text) {
                clientAuth = parsed
            } else if ["RequestClientCert", "RequireAnyClientCert"].contains(text) {
                reader.report(
                    fields.path("client_auth_type"),
                    node,
                    "\(text) is not supported: use NoClientCert, VerifyClientCertIfGiven or RequireAndVerifyClientCert"
                )
            } else {
                reader.report(
                    fields.path("client_auth_type"),
                    node,
                    "must be NoClientCert, VerifyClientCertIfGiven or RequireAndVerifyClientCert, found \"\(text)\""
                )
            }
        }
        if clientAuth != .none, clientCA == nil, fields["client_ca_file"] == nil {
            reader.report(fields.path("client_ca_file"), fields.node, "is required when client_auth_type is \(clientAuth.rawValue)")
        }
        // max_version, cipher_suites, curve_preferences and prefer_server_cipher_suites are accepted for
        // compatibility with existing exporter-toolkit files; the TLS library's safe choices apply.
        guard reader.problems.count == before, let certificate, let key else { return nil }
        return WebConfiguration.TLS(
            certificateFile: certificate,
            keyFile: key,
            minimumVersion: version,
            clientCAFile: clientCA,
            clientAuth: clientAuth
        )
    }

    private static func readUsers(_ node: Node, reader: inout ConfigurationReader) -> [String: String] {
        guard case .mapping(let mapping) = node else {
            reader.report("basic_auth_users", node, "must be a mapping of user name to bcrypt hash")
            return [:]
        }
        var users: [String: String] = [:]
        for (keyNode, valueNode) in mapping {
            let name = keyNode.string ?? ""
            let path = "basic_auth_users.\(name)"
            guard !name.isEmpty, !name.contains(":") else {
                reader.report(path, keyNode, "user names must be non-empty and contain no colon")
                continue
            }
            guard let hash = reader.nonEmptyString(valueNode, path: path) else { continue }
            guard BasicAuthenticator.isBcryptHash(hash) else {
                reader.report(path, valueNode, "must be a bcrypt hash ($2a$, $2b$ or $2y$), as made by `htpasswd -nBC 10 \(name)`")
                continue
            }
            users[name] = hash
        }
        return users
    }

    private static func readHTTPServerConfig(_ node: Node, reader: inout ConfigurationReader) -> [(String, String)] {
        guard let fields = reader.mapping(node, path: "http_server_config", allowedKeys: ["http2", "headers"]) else { return [] }
        if let http2 = fields["http2"] { _ = reader.bool(http2, path: fields.path("http2")) }  // HTTP/1.1 is served either way
        guard let headersNode = fields["headers"] else { return [] }
        guard case .mapping(let mapping) = headersNode else {
            reader.report(fields.path("headers"), headersNode, "must be a mapping of header name to value")
            return []
        }
        var headers: [(String, String)] = []
        for (keyNode, valueNode) in mapping {
            let name = keyNode.string ?? ""
            let path = fields.path("headers") + ".\(name)"
            guard let allowed = WebConfiguration.allowedHeaders.first(where: { $0.lowercased() == name.lowercased() }) else {
                reader.report(path, keyNode, "only these headers can be set: \(WebConfiguration.allowedHeaders.joined(separator: ", "))")
                continue
            }
            if let value = reader.string(valueNode, path: path) { headers.append((allowed, value)) }
        }
        return headers
    }
}

extension ConfigurationReader {
    /// Problems in file order.
    var orderedProblems: [ConfigurationProblem] {
        problems.enumerated().sorted { ($0.element.line ?? 0, $0.offset) < ($1.element.line ?? 0, $1.offset) }.map(\.element)
    }
}
