import Foundation

/// Generates a Workspace customer whose users include the Windsurf demo users, so that the seat-hygiene
/// joins on `email` have something to find: a few suspended users and users with no login for 30+ days.
public struct GoogleDatasetGenerator: Sendable {
    public var seed: UInt64

    public init(seed: UInt64 = 99) {
        self.seed = seed
    }

    /// With `history`, reports differ by date (``SimulatedWorkspaceHistory``): the last extra user joined 10 days
    /// ago, `former.employee@domain` left 15 days ago, the date 20 days ago has no data, and values drift with age.
    public func customer(
        emails: [String],
        extraUsers: Int = 20,
        domain: String = "example.com",
        now: Double,
        history: Bool = false
    ) -> SimulatedWorkspaceCustomer {
        var generator = SeededGenerator(seed: seed)
        let day = 86_400.0
        var all = emails
        all += (0..<extraUsers).map { "workspace.only.\($0)@\(domain)" }
        var users: [SimulatedWorkspaceUser] = []
        for (index, email) in all.enumerated() {
            func stamp(_ seconds: Double) -> SimulatedTimestamp {
                SimulatedTimestamp(seconds: seconds, digits: 3, using: &generator)
            }
            // Every 25th user suspended, every 9th without a login for 30+ days, one never logged in.
            let suspended = index % 25 == 7
            let stale = index % 9 == 4
            let loginAge = stale ? Double.random(in: 31...200, using: &generator) * day : Double.random(in: 0.05...6, using: &generator) * day
            let lastLogin = index == 11 ? SimulatedTimestamp(wholeSeconds: 0, fraction: "000") : stamp(now - loginAge)
            users.append(
                SimulatedWorkspaceUser(
                    email: email,
                    parameters: [
                        SimulatedUsageParameter("accounts:last_login_time", .datetime(lastLogin)),
                        SimulatedUsageParameter("accounts:is_suspended", .bool(suspended)),
                        SimulatedUsageParameter("accounts:is_2sv_enrolled", .bool(generator.chance(0.75))),
                        SimulatedUsageParameter(
                            "gmail:last_interaction_time",
                            .datetime(stamp(now - loginAge - Double.random(in: 0...2, using: &generator) * day))
                        ),
                        SimulatedUsageParameter(
                            "drive:last_active_usage_time",
                            .datetime(stamp(now - loginAge - Double.random(in: 0...9, using: &generator) * day))
                        ),
                        SimulatedUsageParameter("accounts:used_quota_in_mb", .int(Int64.random(in: 10...30_000, using: &generator))),
                    ]
                )
            )
        }
        let count = Int64(users.count)
        let suspendedCount = Int64(users.filter { if case .bool(true)? = $0.parameter("accounts:is_suspended") { true } else { false } }.count)
        func share(_ fraction: Double) -> Int64 { Int64((Double(count) * fraction).rounded()) }
        var parameters: [SimulatedUsageParameter] = [
            SimulatedUsageParameter("accounts:num_users", .int(count)),
            SimulatedUsageParameter("accounts:num_suspended_users", .int(suspendedCount)),
            SimulatedUsageParameter("accounts:num_disabled_accounts", .int(suspendedCount)),
            SimulatedUsageParameter("accounts:num_1day_logins", .int(share(0.55))),
            SimulatedUsageParameter("accounts:num_7day_logins", .int(share(0.82))),
            SimulatedUsageParameter("accounts:num_30day_logins", .int(share(0.9))),
            SimulatedUsageParameter("accounts:used_quota_in_mb", .int(count * 4_200)),
            SimulatedUsageParameter("accounts:total_quota_in_mb", .int(count * 30_720)),
            SimulatedUsageParameter("meet:total_call_minutes", .int(count * 95)),
            SimulatedUsageParameter(
                "accounts:authorized_apps",
                .messages([
                    [
                        ("client_id", JSONText.string("1234.apps.googleusercontent.com")), ("client_name", JSONText.string("Windsurf")),
                        ("num_users", String(share(0.6))),
                    ],
                    [
                        ("client_id", JSONText.string("4567.apps.googleusercontent.com")), ("client_name", JSONText.string("Acme \"Internal\" Tool")),
                        ("num_users", String(share(0.2))),
                    ],
                    [
                        ("client_id", JSONText.string("8910.apps.googleusercontent.com")), ("client_name", JSONText.string("Slack")),
                        ("num_users", String(share(0.7))),
                    ],
                ])
            ),
        ]
        for app in ["gmail", "drive", "calendar"] {
            for (window, fraction) in [("1day", 0.5), ("7day", 0.75), ("30day", 0.88)] {
                parameters.append(
                    SimulatedUsageParameter(
                        "\(app):num_\(window)_active_users",
                        .int(share(fraction * Double.random(in: 0.9...1, using: &generator)))
                    )
                )
            }
        }
        var customer = SimulatedWorkspaceCustomer(customerID: "C03az79cb", parameters: parameters, users: users)
        if history {
            let today = GoogleSimulator.pacificDay(now)
            let former = SimulatedWorkspaceUser(
                email: "former.employee@\(domain)",
                parameters: [
                    SimulatedUsageParameter(
                        "accounts:last_login_time",
                        .datetime(SimulatedTimestamp(wholeSeconds: Int64(now) - 16 * 86_400, fraction: "250"))
                    ),
                    SimulatedUsageParameter("accounts:is_suspended", .bool(false)),
                    SimulatedUsageParameter("accounts:is_2sv_enrolled", .bool(true)),
                    SimulatedUsageParameter(
                        "gmail:last_interaction_time",
                        .datetime(SimulatedTimestamp(wholeSeconds: Int64(now) - 16 * 86_400 - 3_600, fraction: "5"))
                    ),
                    SimulatedUsageParameter(
                        "drive:last_active_usage_time",
                        .datetime(SimulatedTimestamp(wholeSeconds: Int64(now) - 17 * 86_400, fraction: "125"))
                    ),
                    SimulatedUsageParameter("accounts:used_quota_in_mb", .int(2_048)),
                ]
            )
            customer.history = SimulatedWorkspaceHistory(
                anchorDay: today,
                missingDay: today - 20,
                joiner: users.last.map { ($0.email, today - 10) },
                leaver: (former, today - 15),
                seed: seed
            )
        }
        return customer
    }
}
