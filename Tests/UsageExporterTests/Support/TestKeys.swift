import UsageExporter
import UsageExporterSimulator

/// One generated service account shared by the tests (RSA key generation is slow in debug builds).
enum TestKeys {
    static let account = try! SimulatedServiceAccount()

    /// A key file whose token endpoint is `tokenURI`.
    static func keyFileJSON(tokenURI: String = "https://oauth2.googleapis.com/token") -> String {
        account.keyFileJSON(tokenURI: tokenURI)
    }

    static var key: ServiceAccountKey { try! ServiceAccountKey(json: keyFileJSON()) }
}
