import Foundation
import _CryptoExtras

/// A Google service-account key file (`type: service_account`), validated when the configuration loads.
public struct ServiceAccountKey: Sendable {
    public let clientEmail: String
    public let clientID: String
    public let privateKeyID: String
    /// Where the signed assertion is exchanged for an access token.
    public let tokenURI: String
    /// The RSA key (2048 bits or more) that signs the assertion. Never printed.
    let privateKey: _RSA.Signing.PrivateKey

    public static let defaultTokenURI = "https://oauth2.googleapis.com/token"

    /// Why a key file cannot be used, in words an admin can act on. Never includes key material.
    public struct Problem: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    public init(clientEmail: String, clientID: String = "", privateKeyID: String, tokenURI: String, privateKeyPEM: String) throws(Problem) {
        self.clientEmail = clientEmail
        self.clientID = clientID
        self.privateKeyID = privateKeyID
        self.tokenURI = tokenURI
        self.privateKey = try Self.parsePrivateKey(privateKeyPEM)
    }

    private struct KeyFile: Decodable {
        let type: String?
        let private_key_id: String?
        let private_key: String?
        let client_email: String?
        let client_id: String?
        let token_uri: String?
    }

    /// Parses the JSON of a key file as the Google Cloud console downloads it.
    public init(json: String) throws(Problem) {
        let file: KeyFile
        do {
            file = try JSONDecoder().decode(KeyFile.self, from: Data(json.utf8))
        } catch {
            throw Problem(description: "is not a service-account key file: not JSON of the expected shape")
        }
        guard let type = file.type else {
            throw Problem(description: "has no \"type\"; download a JSON key of a service account from the Google Cloud console")
        }
        guard type == "service_account" else {
            throw Problem(description: "has type \"\(type)\"; a key of type \"service_account\" is needed (not a user or OAuth client credential)")
        }
        guard let email = file.client_email, !email.isEmpty else { throw Problem(description: "has no client_email") }
        guard let keyID = file.private_key_id, !keyID.isEmpty else { throw Problem(description: "has no private_key_id") }
        guard let pem = file.private_key, !pem.isEmpty else { throw Problem(description: "has no private_key") }
        let tokenURI = file.token_uri ?? Self.defaultTokenURI
        guard tokenURI.hasPrefix("https://") || tokenURI.hasPrefix("http://") else {
            throw Problem(description: "has a token_uri that is not an http(s) URL")
        }
        try self.init(clientEmail: email, clientID: file.client_id ?? "", privateKeyID: keyID, tokenURI: tokenURI, privateKeyPEM: pem)
    }

    /// Accepts PKCS#1 (`BEGIN RSA PRIVATE KEY`) and PKCS#8 (`BEGIN PRIVATE KEY`) PEM of 2048 bits or more.
    static func parsePrivateKey(_ pem: String) throws(Problem) -> _RSA.Signing.PrivateKey {
        guard pem.contains("-----BEGIN PRIVATE KEY-----") || pem.contains("-----BEGIN RSA PRIVATE KEY-----") else {
            throw Problem(description: "has a private_key that is not an unencrypted PEM RSA key (BEGIN PRIVATE KEY or BEGIN RSA PRIVATE KEY)")
        }
        if let key = try? _RSA.Signing.PrivateKey(pemRepresentation: pem) {
            return key
        }
        if let weak = try? _RSA.Signing.PrivateKey(unsafePEMRepresentation: pem) {
            throw Problem(description: "has a \(weak.keySizeInBits)-bit RSA private_key; at least 2048 bits are required")
        }
        throw Problem(description: "has a private_key that is not a valid RSA key")
    }

    /// The RS256 signature of `data` (RSASSA-PKCS1-v1_5 with SHA-256).
    func sign(_ data: Data) throws -> Data {
        try privateKey.signature(for: data, padding: .insecurePKCS1v1_5).rawRepresentation
    }
}

extension ServiceAccountKey: Equatable {
    public static func == (lhs: ServiceAccountKey, rhs: ServiceAccountKey) -> Bool {
        lhs.clientEmail == rhs.clientEmail && lhs.privateKeyID == rhs.privateKeyID && lhs.tokenURI == rhs.tokenURI
            && lhs.privateKey.derRepresentation == rhs.privateKey.derRepresentation
    }
}

extension ServiceAccountKey: CustomStringConvertible {
    public var description: String { "ServiceAccountKey(\(clientEmail), key id \(privateKeyID))" }
}
