import Foundation
import _CryptoExtras

/// A service account made up for the simulator: a fresh RSA key, and the key file that points the
/// exporter at the simulator's token endpoint.
public struct SimulatedServiceAccount: Sendable {
    public let clientEmail: String
    public let clientID: String
    public let privateKeyID: String
    let privateKey: _RSA.Signing.PrivateKey

    public var publicKey: _RSA.Signing.PublicKey { privateKey.publicKey }

    /// Generates a 2048-bit key (tens of milliseconds).
    public init(clientEmail: String = "usage-exporter@usage-exporter-demo.iam.gserviceaccount.com", clientID: String = "109876543210987654321") throws
    {
        self.clientEmail = clientEmail
        self.clientID = clientID
        self.privateKey = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        self.privateKeyID = (0..<20).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
    }

    /// The PKCS#8 PEM of the private key, as Google's key files hold it.
    public var privateKeyPEM: String { privateKey.pkcs8PEMRepresentation }
    /// The PKCS#1 PEM (`BEGIN RSA PRIVATE KEY`) of the same key.
    public var pkcs1PrivateKeyPEM: String { privateKey.pemRepresentation }

    /// The JSON key file as the Google Cloud console downloads it, with `token_uri` set to `tokenURI`.
    public func keyFileJSON(tokenURI: String, privateKeyPEM: String? = nil) -> String {
        JSONText.object([
            ("type", JSONText.string("service_account")),
            ("project_id", JSONText.string("usage-exporter-demo")),
            ("private_key_id", JSONText.string(privateKeyID)),
            ("private_key", JSONText.string(privateKeyPEM ?? self.privateKeyPEM)),
            ("client_email", JSONText.string(clientEmail)),
            ("client_id", JSONText.string(clientID)),
            ("auth_uri", JSONText.string("https://accounts.google.com/o/oauth2/auth")),
            ("token_uri", JSONText.string(tokenURI)),
            ("auth_provider_x509_cert_url", JSONText.string("https://www.googleapis.com/oauth2/v1/certs")),
            ("universe_domain", JSONText.string("googleapis.com")),
        ])
    }
}
