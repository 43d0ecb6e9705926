import Foundation
import Testing
import UsageExporterSimulator
import _CryptoExtras

@testable import UsageExporter

@Suite("Google service-account auth")
struct GoogleAuthTests {
    static func decodeBase64URL(_ text: Substring) -> Data {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64)!
    }

    @Test("the assertion's header and claims are exact and its RS256 signature verifies with the public key")
    func signing() throws {
        let key = TestKeys.key
        let jwt = try ServiceAccountAssertion.make(key: key, subject: "admin@example.com", issuedAt: 1_700_000_000.7)
        let parts = jwt.split(separator: ".", omittingEmptySubsequences: false)
        #expect(parts.count == 3)
        #expect(!jwt.contains("=") && !jwt.contains("+") && !jwt.contains("/"))
        #expect(
            String(decoding: Self.decodeBase64URL(parts[0]), as: UTF8.self)
                == #"{"alg":"RS256","typ":"JWT","kid":"\#(TestKeys.account.privateKeyID)"}"#
        )
        #expect(
            String(decoding: Self.decodeBase64URL(parts[1]), as: UTF8.self) == """
                {"iss":"\(TestKeys.account.clientEmail)","sub":"admin@example.com","scope":"https://www.googleapis.com/auth/admin.reports.usage.readonly",\
                "aud":"https://oauth2.googleapis.com/token","iat":1700000000,"exp":1700003600}
                """
        )
        let signature = _RSA.Signing.RSASignature(rawRepresentation: Self.decodeBase64URL(parts[2]))
        let signingInput = Data((parts[0] + "." + parts[1]).utf8)
        #expect(TestKeys.account.publicKey.isValidSignature(signature, for: signingInput, padding: .insecurePKCS1v1_5))
        #expect(!TestKeys.account.publicKey.isValidSignature(signature, for: Data("tampered".utf8), padding: .insecurePKCS1v1_5))
    }

    @Test(
        "the signature is byte for byte what `openssl dgst -sha256 -sign` makes",
        .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl"))
    )
    func signatureMatchesOpenSSL() throws {
        let directory = TemporaryDirectory()
        defer { withExtendedLifetime(directory) {} }
        let keyPath = directory.file("key.pem")
        let inputPath = directory.file("input")
        try TestKeys.account.privateKeyPEM.write(toFile: keyPath, atomically: true, encoding: .utf8)
        let input = "header.claims-\(UUID().uuidString)"
        try input.write(toFile: inputPath, atomically: true, encoding: .utf8)
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        openssl.arguments = ["dgst", "-sha256", "-sign", keyPath, inputPath]
        let output = Pipe()
        openssl.standardOutput = output
        try openssl.run()
        let expected = output.fileHandleForReading.readDataToEndOfFile()
        openssl.waitUntilExit()
        #expect(openssl.terminationStatus == 0)
        #expect(try TestKeys.key.sign(Data(input.utf8)) == expected)
    }

    @Test("PKCS#8 and PKCS#1 keys are accepted")
    func keyFormats() throws {
        let pkcs8 = try ServiceAccountKey(json: TestKeys.account.keyFileJSON(tokenURI: "https://t", privateKeyPEM: TestKeys.account.privateKeyPEM))
        let pkcs1 = try ServiceAccountKey(
            json: TestKeys.account.keyFileJSON(tokenURI: "https://t", privateKeyPEM: TestKeys.account.pkcs1PrivateKeyPEM)
        )
        #expect(pkcs8 == pkcs1)
        #expect(pkcs8.clientEmail == TestKeys.account.clientEmail)
        #expect(pkcs8.privateKeyID == TestKeys.account.privateKeyID)
        #expect(pkcs8.tokenURI == "https://t")
        #expect(!"\(pkcs8)".contains("PRIVATE KEY"))
    }

    static let weakKeyPEM = try! _RSA.Signing.PrivateKey(unsafeKeySize: .init(bitCount: 1024)).pemRepresentation

    @Test(
        "key file problems",
        arguments: [
            ("not json at all", "is not a service-account key file: not JSON of the expected shape"),
            (
                #"{"type":"authorized_user","client_id":"x"}"#,
                #"has type "authorized_user"; a key of type "service_account" is needed (not a user or OAuth client credential)"#
            ),
            (#"{"private_key":"x"}"#, #"has no "type"; download a JSON key of a service account from the Google Cloud console"#),
            (#"{"type":"service_account","private_key_id":"k","private_key":"x"}"#, "has no client_email"),
            (#"{"type":"service_account","client_email":"a@b","private_key":"x"}"#, "has no private_key_id"),
            (
                #"{"type":"service_account","client_email":"a@b","private_key_id":"k","private_key":"hello"}"#,
                "has a private_key that is not an unencrypted PEM RSA key (BEGIN PRIVATE KEY or BEGIN RSA PRIVATE KEY)"
            ),
            (
                #"{"type":"service_account","client_email":"a@b","private_key_id":"k","private_key":"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"}"#,
                "has a private_key that is not a valid RSA key"
            ),
        ]
    )
    func keyFileProblems(json: String, expected: String) {
        #expect(throws: ServiceAccountKey.Problem.self) { try ServiceAccountKey(json: json) }
        do {
            _ = try ServiceAccountKey(json: json)
        } catch {
            #expect(error.description == expected)
        }
    }

    @Test("a key under 2048 bits is refused, naming its size")
    func weakKey() {
        do {
            _ = try ServiceAccountKey(json: TestKeys.account.keyFileJSON(tokenURI: "https://t", privateKeyPEM: Self.weakKeyPEM))
            Issue.record("a 1024-bit key was accepted")
        } catch {
            #expect(error.description == "has a 1024-bit RSA private_key; at least 2048 bits are required")
        }
    }

    @Test("key file problems are configuration errors, and --config.check reports them without the key")
    func configCheck() async throws {
        let directory = TemporaryDirectory()
        defer { withExtendedLifetime(directory) {} }
        let weak = directory.file("weak.json")
        try TestKeys.account.keyFileJSON(tokenURI: "https://t", privateKeyPEM: Self.weakKeyPEM).write(toFile: weak, atomically: true, encoding: .utf8)
        let wrongType = directory.file("user.json")
        try #"{"type":"authorized_user"}"#.write(toFile: wrongType, atomically: true, encoding: .utf8)
        let good = directory.file("good.json")
        try TestKeys.keyFileJSON().write(toFile: good, atomically: true, encoding: .utf8)
        let config = directory.file("config.yml")
        try """
        google_workspace:
          - name: weak
            credentials_file: \(weak)
            subject: admin@example.com
          - name: wrong-type
            credentials_file: \(wrongType)
            subject: admin@example.com
          - name: missing
            credentials_file: /nonexistent/sa.json
            subject: admin@example.com
        """.write(toFile: config, atomically: true, encoding: .utf8)
        let result = try await ExporterProcess.run(["--config.check", "--config.file", config])
        #expect(result.code == 1)
        #expect(
            result.error.split(separator: "\n").map(String.init) == [
                "\(config):3: google_workspace[0].credentials_file: credentials file \"\(weak)\" has a 1024-bit RSA private_key; at least 2048 bits are required",
                "\(config):6: google_workspace[1].credentials_file: credentials file \"\(wrongType)\" has type \"authorized_user\"; a key of type \"service_account\" is needed (not a user or OAuth client credential)",
                "\(config):9: google_workspace[2].credentials_file: cannot read credentials file \"/nonexistent/sa.json\": No such file or directory",
            ]
        )
        #expect(!result.error.contains("PRIVATE KEY"))

        try "google_workspace:\n  - {name: ok, credentials_file: \(good), subject: admin@example.com}\n".write(
            toFile: config,
            atomically: true,
            encoding: .utf8
        )
        #expect(try await ExporterProcess.run(["--config.check", "--config.file", config]).code == 0)
    }
}
