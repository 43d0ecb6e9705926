/// The pollers a configuration asks for: one per configured source and report, in configuration order.
public enum SourcePollers {
    public static func make(for configuration: ExporterConfiguration) -> [any SourcePoller] {
        let labeler = EmailLabeler(privacy: configuration.privacy)
        let perUser = configuration.privacy.perUser
        var pollers: [any SourcePoller] = []
        for team in configuration.windsurf {
            let builder = WindsurfSnapshotBuilder(team: team.name, emailLabeler: labeler, perUser: perUser)
            pollers.append(WindsurfPoller(team: team, report: .userPage, builder: builder))
            if team.creditBalance {
                pollers.append(WindsurfPoller(team: team, report: .creditBalance, builder: builder))
            }
            if team.analytics {
                let analytics = WindsurfAnalyticsSnapshotBuilder(team: team.name, emailLabeler: labeler, perUser: perUser)
                pollers.append(WindsurfAnalyticsPoller(team: team, builder: analytics))
            }
            if team.consumption {
                let consumption = WindsurfConsumptionSnapshotBuilder(team: team.name, emailLabeler: labeler, perUser: perUser)
                pollers.append(WindsurfConsumptionPoller(team: team, builder: consumption))
            }
        }
        for customer in configuration.googleWorkspace {
            let tokens = GoogleAccessTokenProvider(key: customer.credentials, subject: customer.subject, timeout: customer.timeout)
            pollers.append(GoogleReportPoller(customer: customer, report: .customer, tokens: tokens, emailLabeler: labeler, perUser: perUser))
            if customer.userReport {
                pollers.append(GoogleReportPoller(customer: customer, report: .users, tokens: tokens, emailLabeler: labeler, perUser: perUser))
            }
        }
        return pollers
    }
}
