import AsyncHTTPClient
import Foundation
import HummingbirdBcrypt
import NIOCore
import NIOSSL
import Testing

@testable import UsageExporter

@Suite("Web configuration: TLS and basic auth", .serialized)
struct WebConfigurationTests {
    let directory = TemporaryDirectory()

    func write(_ name: String, _ contents: String) -> String {
        directory.write(name, contents)
    }

    /// A self-signed certificate for 127.0.0.1, made with openssl.
    func makeCertificate(name: String = "server") throws -> (certificate: String, key: String) {
        let certificate = directory.file("\(name).crt")
        let key = directory.file("\(name).key")
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        openssl.arguments = [
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", certificate,
        ]
        openssl.standardError = FileHandle.nullDevice
        try openssl.run()
        openssl.waitUntilExit()
        #expect(openssl.terminationStatus == 0)
        return (certificate, key)
    }

    /// `htpasswd -nBC 10`-style hash ($2y$) of `password`.
    static func htpasswdHash(_ password: String) -> String {
        "$2y$" + Bcrypt.hash(password, cost: 10).dropFirst(4)
    }

    static func basic(_ user: String, _ password: String) -> String {
        "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
    }

    @Test("bcrypt: htpasswd $2y$ hashes, right and wrong passwords, unknown users, malformed headers; verified once per credential")
    func authenticator() async {
        // "pw" hashed by libxcrypt (crypt(3)), an independent implementation, in htpasswd's $2y$ form.
        let authenticator = BasicAuthenticator(users: [
            "prometheus": "$2y$10$ugLMPujCyAQKyi7gL4OzV.JIH1OOI2SSx38RgMpY589rUkanUUTiC",
            "grafana": Self.htpasswdHash("s3cret:with:colons"),
        ])
        #expect(await authenticator.isAuthorized(Self.basic("prometheus", "pw")))
        #expect(await !authenticator.isAuthorized(Self.basic("prometheus", "PW")))
        #expect(await authenticator.isAuthorized(Self.basic("grafana", "s3cret:with:colons")))
        #expect(await !authenticator.isAuthorized(Self.basic("nobody", "pw")))
        #expect(await !authenticator.isAuthorized(nil))
        #expect(await !authenticator.isAuthorized("Bearer abc"))
        #expect(await !authenticator.isAuthorized("Basic !!!notbase64"))
        #expect(await !authenticator.isAuthorized("Basic " + Data("no-colon".utf8).base64EncodedString()))
        #expect(authenticator.cachedCount == 4)
        for _ in 0..<100 { #expect(await authenticator.isAuthorized(Self.basic("prometheus", "pw"))) }
        #expect(authenticator.cachedCount == 4)
        #expect(authenticator.verificationCount == 4)
    }

    @Test("concurrent requests with the same new credential share one bcrypt verification, off the cooperative pool")
    func sharedVerification() async {
        let authenticator = BasicAuthenticator(users: ["prometheus": Self.htpasswdHash("pw")])
        let results = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<24 { group.addTask { await authenticator.isAuthorized(Self.basic("prometheus", "pw")) } }
            for _ in 0..<24 { group.addTask { await authenticator.isAuthorized(Self.basic("prometheus", "wrong")) } }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results.filter { $0 }.count == 24)
        #expect(results.filter { !$0 }.count == 24)
        #expect(authenticator.verificationCount == 2)
    }

    @Test("a request cancelled before its bcrypt check caches nothing: the same credential is verified for the next request")
    func cancelledVerification() async {
        let authenticator = BasicAuthenticator(users: ["prometheus": Self.htpasswdHash("pw")])
        let cancelled = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return await authenticator.isAuthorized(Self.basic("prometheus", "pw"))
        }
        #expect(await cancelled.value == false)
        #expect(authenticator.cachedCount == 0)
        #expect(authenticator.verificationCount == 0)
        #expect(await authenticator.isAuthorized(Self.basic("prometheus", "pw")))
        #expect(authenticator.verificationCount == 1)
    }

    @Test("the web configuration file is read strictly")
    func parsing() throws {
        let (certificate, key) = try makeCertificate()
        let hash = Self.htpasswdHash("pw")
        let configuration = try WebConfigurationLoader.parse(
            yaml: """
                tls_server_config:
                  cert_file: \(certificate)
                  key_file: \(key)
                  min_version: TLS13
                  client_ca_file: \(certificate)
                  client_auth_type: RequireAndVerifyClientCert
                basic_auth_users:
                  prometheus: \(hash)
                http_server_config:
                  http2: false
                  headers:
                    X-Frame-Options: deny
                """,
            file: "web.yml"
        )
        #expect(
            configuration.tls
                == WebConfiguration.TLS(
                    certificateFile: certificate,
                    keyFile: key,
                    minimumVersion: .tls13,
                    clientCAFile: certificate,
                    clientAuth: .requireAndVerify
                )
        )
        #expect(configuration.basicAuthUsers == ["prometheus": hash])
        #expect(configuration.headers.map { "\($0.0)=\($0.1)" } == ["X-Frame-Options=deny"])
        #expect(try WebConfigurationLoader.parse(yaml: "", file: "web.yml") == WebConfiguration())
    }

    @Test(
        "an invalid web configuration exits 1 naming the field",
        arguments: [
            ("tls_server_config:\n  cert_file: CERT\n", "web.yml:2: tls_server_config.key_file: is required"),
            (
                "tls_server_config:\n  cert_file: /nonexistent.crt\n  key_file: KEY\n",
                #"web.yml:2: tls_server_config.cert_file: cannot read "/nonexistent.crt": No such file or directory"#
            ),
            (
                "tls_server_config:\n  cert_file: CERT\n  key_file: KEY\n  min_version: SSL3\n",
                #"web.yml:4: tls_server_config.min_version: must be one of TLS10, TLS11, TLS12, TLS13, found "SSL3""#
            ),
            (
                "tls_server_config:\n  cert_file: CERT\n  key_file: KEY\n  client_auth_type: RequireAnyClientCert\n  client_ca_file: CERT\n",
                "web.yml:4: tls_server_config.client_auth_type: RequireAnyClientCert is not supported: use NoClientCert, VerifyClientCertIfGiven or RequireAndVerifyClientCert"
            ),
            (
                "basic_auth_users:\n  alice: plaintext\n",
                "web.yml:2: basic_auth_users.alice: must be a bcrypt hash ($2a$, $2b$ or $2y$), as made by `htpasswd -nBC 10 alice`"
            ),
            (
                "basic_auth_user:\n  alice: x\n",
                #"web.yml:1: basic_auth_user: unknown key "basic_auth_user" (known keys: tls_server_config, basic_auth_users, http_server_config)"#
            ),
            ("tls_server_config:\n  cert_file: KEY\n  key_file: KEY\n", #"web.yml: tls_server_config.cert_file: "KEY" holds no PEM certificate"#),
        ]
    )
    func invalid(yaml: String, expected: String) async throws {
        let (certificate, key) = try makeCertificate()
        let file = write("web.yml", yaml.replacingOccurrences(of: "CERT", with: certificate).replacingOccurrences(of: "KEY", with: key))
        let result = try await ExporterProcess.run(["--demo", "--web.config.file", file, "--web.listen-address", "127.0.0.1:0"])
        #expect(result.code == 1)
        let expectedLine = expected.replacingOccurrences(of: "web.yml", with: file).replacingOccurrences(of: "\"KEY\"", with: "\"\(key)\"")
        #expect(result.error.trimmingCharacters(in: .newlines) == expectedLine)
    }

    @Test("real TLS with basic auth through the binary: trusted client, right/wrong/missing password, plain HTTP refused, TLS version floor")
    func tlsAndBasicAuth() async throws {
        let (certificate, key) = try makeCertificate()
        let web = write(
            "web.yml",
            """
            tls_server_config:
              cert_file: \(certificate)
              key_file: \(key)
              min_version: TLS13
            basic_auth_users:
              prometheus: \(Self.htpasswdHash("scrape-me"))
            http_server_config:
              headers:
                X-Content-Type-Options: nosniff
            """
        )
        let child = try ExporterProcess(arguments: ["--demo", "--demo.users", "10", "--web.config.file", web, "--web.listen-address", "127.0.0.1:0"])
        let port = try await child.listeningPort()
        #expect(child.standardErrorText.contains("scheme=https"))

        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(certificate))
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: HTTPClient.Configuration(tlsConfiguration: tls))
        var tls12Only = tls
        tls12Only.maximumTLSVersion = .tlsv12
        let oldClient = HTTPClient(eventLoopGroupProvider: .singleton, configuration: HTTPClient.Configuration(tlsConfiguration: tls12Only))

        func get(_ path: String, authorization: String?, using client: HTTPClient) async throws -> HTTPClientResponse {
            var request = HTTPClientRequest(url: "https://127.0.0.1:\(port)\(path)")
            if let authorization { request.headers.add(name: "Authorization", value: authorization) }
            return try await client.execute(request, timeout: .seconds(10))
        }

        let ok = try await get("/metrics", authorization: Self.basic("prometheus", "scrape-me"), using: client)
        #expect(ok.status == .ok)
        #expect(ok.headers.first(name: "X-Content-Type-Options") == "nosniff")
        let body = String(buffer: try await ok.body.collect(upTo: 1 << 24))
        #expect(body.contains("usage_exporter_build_info"))
        for authorization in [Self.basic("prometheus", "wrong"), nil, Self.basic("someone", "scrape-me")] {
            let refused = try await get("/metrics", authorization: authorization, using: client)
            #expect(refused.status == .unauthorized)
            #expect(refused.headers.first(name: "WWW-Authenticate")?.hasPrefix("Basic realm=") == true)
            #expect(!String(buffer: try await refused.body.collect(upTo: 1 << 16)).contains("usage_exporter"))
        }
        #expect(try await get("/", authorization: nil, using: client).status == .unauthorized)

        // Plain HTTP to the TLS port gets no answer from the exporter.
        await #expect(throws: (any Error).self) {
            let response = try await TestHTTPClient.shared.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/metrics"), timeout: .seconds(2))
            if response.status == .ok { return }
            throw CancellationError()
        }
        // A client that stops at TLS 1.2 cannot connect when min_version is TLS13.
        await #expect(throws: (any Error).self) {
            _ = try await get("/metrics", authorization: Self.basic("prometheus", "scrape-me"), using: oldClient)
        }
        try await client.shutdown()
        try await oldClient.shutdown()
        child.signal(SIGTERM)
        #expect(try await child.waitForExit(timeout: .seconds(10)) == 0)
    }
}
