import Yams

/// Reads and validates the YAML configuration file.
public enum ConfigurationLoader {
    /// Loads the file at `path`; every problem is reported at once.
    public static func load(
        path: String,
        environment: [String: String]
    ) throws(ConfigurationError) -> ExporterConfiguration {
        try parse(yaml: readFile(path, what: "configuration file"), file: path, environment: environment)
    }

    /// The text of a configuration file, or a problem naming it.
    static func readFile(_ path: String, what: String) throws(ConfigurationError) -> String {
        do {
            return try SecretFile.contents(of: path)
        } catch {
            throw ConfigurationError(problems: [
                ConfigurationProblem(file: path, path: "", line: nil, message: "cannot read the \(what): \(error.reason)")
            ])
        }
    }

    /// The YAML document's root node (nil for an empty file), or its syntax error.
    static func compose(_ yaml: String, file: String) throws(ConfigurationError) -> Node? {
        do {
            return try Yams.compose(yaml: yaml)
        } catch {
            throw ConfigurationError(problems: [syntaxProblem(error, file: file)])
        }
    }

    /// Parses configuration text; `file` names it in problems.
    public static func parse(
        yaml: String,
        file: String,
        environment: [String: String]
    ) throws(ConfigurationError) -> ExporterConfiguration {
        let root = try compose(yaml, file: file)
        var reader = ConfigurationReader(file: file, environment: environment)
        var configuration = ExporterConfiguration()
        if let root, !ConfigurationReader.isNull(root) {
            readDocument(root, into: &configuration, reader: &reader)
        }
        // In file order, so the lines read top to bottom; problems without a line come first.
        guard reader.problems.isEmpty else { throw ConfigurationError(problems: reader.orderedProblems) }
        return configuration
    }

    static func syntaxProblem(_ error: any Error, file: String) -> ConfigurationProblem {
        if let yamlError = error as? YamlError {
            switch yamlError {
            case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _):
                return ConfigurationProblem(file: file, path: "", line: mark.line, message: "invalid YAML: \(problem)")
            case .composer(_, let problem, let mark, _):
                return ConfigurationProblem(file: file, path: "", line: mark.line, message: "invalid YAML: \(problem)")
            default:
                break
            }
        }
        return ConfigurationProblem(file: file, path: "", line: nil, message: "invalid YAML: \(error)")
    }

    private static func readDocument(_ root: Node, into configuration: inout ExporterConfiguration, reader: inout ConfigurationReader) {
        guard let fields = reader.mapping(root, path: "", allowedKeys: ["windsurf", "google_workspace", "privacy", "max_stale"]) else {
            return
        }
        if let node = fields["windsurf"], let items = reader.sequence(node, path: "windsurf") {
            configuration.windsurf = items.enumerated().compactMap { index, item in
                readWindsurfTeam(item, path: "windsurf[\(index)]", reader: &reader)
            }
            reportDuplicateNames(items, list: "windsurf", what: "team", reader: &reader)
        }
        if let node = fields["google_workspace"], let items = reader.sequence(node, path: "google_workspace") {
            configuration.googleWorkspace = items.enumerated().compactMap { index, item in
                readGoogleWorkspaceCustomer(item, path: "google_workspace[\(index)]", reader: &reader)
            }
            reportDuplicateNames(items, list: "google_workspace", what: "customer", reader: &reader)
        }
        if let node = fields["privacy"], let privacy = readPrivacy(node, reader: &reader) {
            configuration.privacy = privacy
        }
        if let node = fields["max_stale"], let maxStale = reader.duration(node, path: "max_stale", within: .maxStale) {
            configuration.maxStale = maxStale
        }
    }

    /// Names must be unique within a list, valid entries or not; the problem points at the second occurrence.
    private static func reportDuplicateNames(
        _ items: [Node],
        list: String,
        what: String,
        reader: inout ConfigurationReader
    ) {
        var seen: [String: Int] = [:]
        for (index, item) in items.enumerated() {
            guard case .mapping(let mapping) = item, let nameNode = mapping["name"], let name = nameNode.string else { continue }
            if let first = seen[name] {
                let firstLine = items[first].mapping?["name"]?.mark.map { " (first at line \($0.line))" } ?? ""
                reader.report("\(list)[\(index)].name", nameNode, "duplicate \(what) name \"\(name)\"\(firstLine)")
            } else {
                seen[name] = index
            }
        }
    }

    private static func readWindsurfTeam(_ node: Node, path: String, reader: inout ConfigurationReader) -> WindsurfTeamConfiguration? {
        let keys = [
            "name", "base_url", "service_key", "service_key_file", "groups", "active_days_window", "credit_balance", "analytics",
            "analytics_windows", "analytics_interval", "consumption", "consumption_interval", "interval", "timeout",
        ]
        guard let fields = reader.mapping(node, path: path, allowedKeys: keys) else { return nil }
        let problemsBefore = reader.problems.count

        let name = required(fields, "name", reader: &reader) { $0.nonEmptyString($1, path: $2) }
        let baseURL = fields["base_url"].flatMap { reader.baseURL($0, path: fields.path("base_url")) }
        var serviceKey: Secret?
        switch (fields["service_key"], fields["service_key_file"]) {
        case (let keyNode?, nil):
            serviceKey = reader.nonEmptyString(keyNode, path: fields.path("service_key")).map(Secret.init)
        case (nil, let fileNode?):
            serviceKey = reader.secretFile(fileNode, path: fields.path("service_key_file"), what: "service key")
        case (_?, let fileNode?):
            reader.report(fields.path("service_key_file"), fileNode, "set either service_key or service_key_file, not both")
        case (nil, nil):
            reader.report(path, node, "one of service_key or service_key_file is required")
        }
        var groups: [String]?
        if let groupsNode = fields["groups"], let list = reader.stringList(groupsNode, path: fields.path("groups")) {
            if list.isEmpty {
                reader.report(fields.path("groups"), groupsNode, "must list at least one group, or be omitted to query the whole team")
            } else if let repeated = firstRepeated(list) {
                reader.report(fields.path("groups"), groupsNode, "group \"\(repeated)\" is listed more than once")
            } else {
                groups = list
            }
        }
        let window = fields["active_days_window"].flatMap { reader.duration($0, path: fields.path("active_days_window"), within: .activeDaysWindow) }
        let creditBalance = fields["credit_balance"].flatMap { reader.bool($0, path: fields.path("credit_balance")) }
        let analytics = fields["analytics"].flatMap { reader.bool($0, path: fields.path("analytics")) }
        let analyticsWindows = fields["analytics_windows"].flatMap { reader.analyticsWindows($0, path: fields.path("analytics_windows")) }
        let analyticsInterval = fields["analytics_interval"].flatMap {
            reader.duration($0, path: fields.path("analytics_interval"), within: .interval)
        }
        let consumption = fields["consumption"].flatMap { reader.bool($0, path: fields.path("consumption")) }
        let consumptionInterval = fields["consumption_interval"].flatMap {
            reader.duration($0, path: fields.path("consumption_interval"), within: .consumptionInterval)
        }
        let interval = fields["interval"].flatMap { reader.duration($0, path: fields.path("interval"), within: .interval) }
        let timeout = fields["timeout"].flatMap { reader.duration($0, path: fields.path("timeout"), within: .timeout) }

        guard reader.problems.count == problemsBefore, let name, let serviceKey else { return nil }
        var team = WindsurfTeamConfiguration(name: name, serviceKey: serviceKey, groups: groups)
        if let baseURL { team.baseURL = baseURL }
        if let window { team.activeDaysWindow = window }
        if let creditBalance { team.creditBalance = creditBalance }
        if let analytics { team.analytics = analytics }
        if let analyticsWindows { team.analyticsWindows = analyticsWindows }
        if let analyticsInterval { team.analyticsInterval = analyticsInterval }
        if let consumption { team.consumption = consumption }
        if let consumptionInterval { team.consumptionInterval = consumptionInterval }
        if let interval { team.interval = interval }
        if let timeout { team.timeout = timeout }
        return team
    }

    private static func readGoogleWorkspaceCustomer(
        _ node: Node,
        path: String,
        reader: inout ConfigurationReader
    ) -> GoogleWorkspaceCustomerConfiguration? {
        let keys = [
            "name", "credentials_file", "subject", "customer_id", "customer_parameters", "user_report", "user_parameters",
            "max_lookback_days", "interval", "timeout", "base_url",
        ]
        guard let fields = reader.mapping(node, path: path, allowedKeys: keys) else { return nil }
        let problemsBefore = reader.problems.count

        let name = required(fields, "name", reader: &reader) { $0.nonEmptyString($1, path: $2) }
        let credentials = required(fields, "credentials_file", reader: &reader) { reader, node, path -> (String, ServiceAccountKey)? in
            guard let file = reader.nonEmptyString(node, path: path) else { return nil }
            do {
                return (file, try ServiceAccountKey(json: try SecretFile.contents(of: file)))
            } catch let error as SecretFile.ReadError {
                reader.report(path, node, "cannot read credentials file \"\(file)\": \(error.reason)")
            } catch let problem as ServiceAccountKey.Problem {
                reader.report(path, node, "credentials file \"\(file)\" \(problem.description)")
            } catch {
                reader.report(path, node, "credentials file \"\(file)\" cannot be used")
            }
            return nil
        }
        let subject = required(fields, "subject", reader: &reader) { $0.nonEmptyString($1, path: $2) }
        let customerID = fields["customer_id"].flatMap { reader.nonEmptyString($0, path: fields.path("customer_id")) }
        let customerParameters = fields["customer_parameters"].flatMap {
            reader.parameterList($0, path: fields.path("customer_parameters"))
        }
        let userReport = fields["user_report"].flatMap { reader.bool($0, path: fields.path("user_report")) }
        let userParameters = fields["user_parameters"].flatMap { reader.parameterList($0, path: fields.path("user_parameters")) }
        let lookback = fields["max_lookback_days"].flatMap {
            reader.integer($0, path: fields.path("max_lookback_days"), range: 1...450)
        }
        let interval = fields["interval"].flatMap { reader.duration($0, path: fields.path("interval"), within: .interval) }
        let timeout = fields["timeout"].flatMap { reader.duration($0, path: fields.path("timeout"), within: .timeout) }
        let baseURL = fields["base_url"].flatMap { reader.baseURL($0, path: fields.path("base_url")) }

        guard reader.problems.count == problemsBefore, let name, let credentials, let subject else { return nil }
        var customer = GoogleWorkspaceCustomerConfiguration(
            name: name,
            credentialsFile: credentials.0,
            credentials: credentials.1,
            subject: subject
        )
        if let customerID { customer.customerID = customerID }
        if let customerParameters { customer.customerParameters = customerParameters }
        if let userReport { customer.userReport = userReport }
        if let userParameters { customer.userParameters = userParameters }
        if let lookback { customer.maxLookbackDays = lookback }
        if let interval { customer.interval = interval }
        if let timeout { customer.timeout = timeout }
        if let baseURL { customer.baseURL = baseURL }
        return customer
    }

    private static func readPrivacy(_ node: Node, reader: inout ConfigurationReader) -> PrivacyConfiguration? {
        guard let fields = reader.mapping(node, path: "privacy", allowedKeys: ["pseudonymize_emails", "salt_file", "per_user"]) else {
            return nil
        }
        let problemsBefore = reader.problems.count
        var privacy = PrivacyConfiguration()
        if let value = fields["pseudonymize_emails"].flatMap({ reader.bool($0, path: "privacy.pseudonymize_emails") }) {
            privacy.pseudonymizeEmails = value
        }
        if let value = fields["per_user"].flatMap({ reader.bool($0, path: "privacy.per_user") }) {
            privacy.perUser = value
        }
        if let saltNode = fields["salt_file"] {
            privacy.salt = reader.secretFile(saltNode, path: "privacy.salt_file", what: "salt")
        } else if privacy.pseudonymizeEmails {
            reader.report("privacy.salt_file", node, "is required when pseudonymize_emails is true")
        }
        return reader.problems.count == problemsBefore ? privacy : nil
    }

    /// Reads a required key, reporting it as missing (at the mapping's line) when absent.
    private static func required<Value>(
        _ fields: ConfigurationReader.Fields,
        _ key: String,
        reader: inout ConfigurationReader,
        _ read: (inout ConfigurationReader, Node, String) -> Value?
    ) -> Value? {
        guard let node = fields[key] else {
            reader.report(fields.path(key), fields.node, "is required")
            return nil
        }
        return read(&reader, node, fields.path(key))
    }

    private static func firstRepeated(_ list: [String]) -> String? {
        var seen: Set<String> = []
        return list.first { !seen.insert($0).inserted }
    }
}

extension ConfigurationReader {
    /// `analytics_windows`: a non-empty list of whole-day durations, 1d–90d, none repeated; in days.
    mutating func analyticsWindows(_ node: Node, path: String) -> [Int]? {
        guard let items = sequence(node, path: path) else { return nil }
        guard !items.isEmpty else {
            report(path, node, "must list at least one window, such as [7d, 30d]")
            return nil
        }
        var days: [Int] = []
        var valid = true
        for (index, item) in items.enumerated() {
            guard let window = duration(item, path: "\(path)[\(index)]", within: .analyticsWindow) else {
                valid = false
                continue
            }
            let count = Int(window.components.seconds / 86_400)
            if days.contains(count) {
                report("\(path)[\(index)]", item, "window \(count)d is listed more than once")
                valid = false
            } else {
                days.append(count)
            }
        }
        return valid ? days : nil
    }

    /// A list of `app:parameter` names.
    mutating func parameterList(_ node: Node, path: String) -> [String]? {
        guard let list = stringList(node, path: path) else { return nil }
        let malformed = list.filter { name in
            let parts = name.split(separator: ":", omittingEmptySubsequences: false)
            return parts.count != 2 || parts.contains(where: \.isEmpty)
        }
        guard malformed.isEmpty else {
            report(path, node, "parameters are written app:name, found \(malformed.map { "\"\($0)\"" }.joined(separator: ", "))")
            return nil
        }
        return list
    }
}
