import Foundation

/// The signed JWT a service account exchanges for an access token (RFC 7523), RS256 with the key's
/// `private_key_id` as `kid`.
public enum ServiceAccountAssertion {
    public static let reportsScope = "https://www.googleapis.com/auth/admin.reports.usage.readonly"

    /// `header.claims.signature`, each base64url without padding. `exp` is `iat` + `lifetime` (at most an hour).
    public static func make(
        key: ServiceAccountKey,
        subject: String,
        scope: String = reportsScope,
        issuedAt: Double,
        lifetime: Int = 3600
    ) throws -> String {
        let iat = Int(flooring: issuedAt)
        let header = #"{"alg":"RS256","typ":"JWT","kid":"# + JSONStringLiteral.encode(key.privateKeyID) + "}"
        let claims =
            "{"
            + [
                #""iss":"# + JSONStringLiteral.encode(key.clientEmail),
                #""sub":"# + JSONStringLiteral.encode(subject),
                #""scope":"# + JSONStringLiteral.encode(scope),
                #""aud":"# + JSONStringLiteral.encode(key.tokenURI),
                #""iat":\#(iat)"#,
                #""exp":\#(iat + min(lifetime, 3600))"#,
            ].joined(separator: ",") + "}"
        let signingInput = base64URL(Data(header.utf8)) + "." + base64URL(Data(claims.utf8))
        let signature = try key.sign(Data(signingInput.utf8))
        return signingInput + "." + base64URL(signature)
    }

    public static func base64URL(_ data: Data) -> String {
        data.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
