import Foundation
import NIOCore

/// Answers `POST /api/v1/GetUsageConfig` for one team: the body needs exactly one scope (`team_level: true`, a
/// `group_id` of the team, or a `user_email` on its user page); every scope answers the team's per-user cap,
/// `{"addOnCreditCap":N}` (or `add_on_credit_cap`, per the team's spelling), or `{}` when there is none.
struct UsageConfigResponder {
    let team: SimulatedWindsurfTeam

    func answer(_ body: JSONValue) throws -> ByteBuffer {
        let reader = try JSONObjectReader(body, path: "")
        try reader.requireOnly(["service_key", "team_level", "group_id", "user_email"])
        let teamLevel = try reader.bool("team_level") ?? false
        let groupID = try reader.string("group_id").flatMap { $0.isEmpty ? nil : $0 }
        let userEmail = try reader.string("user_email").flatMap { $0.isEmpty ? nil : $0 }
        let scopes = (teamLevel ? 1 : 0) + (groupID == nil ? 0 : 1) + (userEmail == nil ? 0 : 1)
        guard scopes > 0 else { throw WindsurfQueryError.usageConfigScopeMissing }
        guard scopes == 1 else { throw WindsurfQueryError.usageConfigScopeAmbiguous }
        if let groupID, !team.groups.contains(groupID) { throw WindsurfQueryError.invalidGroupID(groupID) }
        if let userEmail {
            let wanted = userEmail.trimmingCharacters(in: .whitespaces).lowercased()
            guard team.users.contains(where: { $0.normalizedEmail == wanted }) else { throw WindsurfQueryError.invalidUserEmail(userEmail) }
        }
        guard let cap = team.addOnCreditCap else { return ByteBuffer(string: "{}") }
        return ByteBuffer(string: "{\"\(team.addOnCreditCapSpelling.rawValue)\":\(cap)}")
    }
}
