import Yams

/// Walks a YAML node tree strictly: every key known, every value of the expected type, every problem
/// collected with its key path and line rather than stopping at the first.
struct ConfigurationReader {
    let file: String
    let environment: [String: String]
    private(set) var problems: [ConfigurationProblem] = []

    init(file: String, environment: [String: String]) {
        self.file = file
        self.environment = environment
    }

    mutating func report(_ path: String, _ node: Node?, _ message: String) {
        problems.append(ConfigurationProblem(file: file, path: path, line: node?.mark?.line, message: message))
    }

    /// The fields of a mapping by key, or nil (with a problem) when `node` is not a mapping.
    /// Unknown and repeated keys are reported.
    mutating func mapping(_ node: Node, path: String, allowedKeys: [String]) -> Fields? {
        guard case .mapping(let mapping) = node else {
            report(path, node, "must be a mapping, found \(describe(node))")
            return nil
        }
        var values: [String: Node] = [:]
        for (keyNode, value) in mapping {
            let key = keyNode.string ?? ""
            let keyPath = path.isEmpty ? key : "\(path).\(key)"
            if !allowedKeys.contains(key) {
                report(keyPath, keyNode, "unknown key \"\(key)\" (known keys: \(allowedKeys.joined(separator: ", ")))")
            } else if values[key] != nil {
                report(keyPath, keyNode, "key \"\(key)\" appears more than once")
            } else if !Self.isNull(value) {
                values[key] = value
            }
        }
        return Fields(path: path, node: node, values: values)
    }

    /// The items of a sequence, or nil (with a problem) when `node` is not a sequence.
    mutating func sequence(_ node: Node, path: String) -> [Node]? {
        guard case .sequence(let sequence) = node else {
            report(path, node, "must be a list, found \(describe(node))")
            return nil
        }
        return Array(sequence)
    }

    /// A scalar's text with `${VAR}` replaced from the environment; `expected` names the type in the problem.
    mutating func string(_ node: Node, path: String, expected: String = "a string") -> String? {
        guard case .scalar(let scalar) = node else {
            report(path, node, "must be \(expected), found \(describe(node))")
            return nil
        }
        return substituteEnvironment(in: scalar.string, path: path, node: node)
    }

    /// A non-empty string.
    mutating func nonEmptyString(_ node: Node, path: String) -> String? {
        guard let text = string(node, path: path) else { return nil }
        guard !text.trimmingWhitespace.isEmpty else {
            report(path, node, "must not be empty")
            return nil
        }
        return text
    }

    mutating func bool(_ node: Node, path: String) -> Bool? {
        guard let text = string(node, path: path, expected: "true or false") else { return nil }
        switch text {
        case "true", "True", "TRUE": return true
        case "false", "False", "FALSE": return false
        default:
            report(path, node, "must be true or false, found \"\(text)\"")
            return nil
        }
    }

    mutating func integer(_ node: Node, path: String, range: ClosedRange<Int>) -> Int? {
        guard let text = string(node, path: path, expected: "a whole number") else { return nil }
        guard let value = Int(text) else {
            report(path, node, "must be a whole number, found \"\(text)\"")
            return nil
        }
        guard range.contains(value) else {
            report(path, node, "must be between \(range.lowerBound) and \(range.upperBound), found \(value)")
            return nil
        }
        return value
    }

    /// A Prometheus duration (`30s`, `15m`, `1h`, `7d`) within `bounds`; the problem names the bounds.
    mutating func duration(_ node: Node, path: String, within bounds: DurationBounds) -> Duration? {
        guard let text = string(node, path: path, expected: "a duration") else { return nil }
        guard let duration = PrometheusDuration.parse(text) else {
            report(path, node, "invalid duration \"\(text)\": use Prometheus syntax such as 30s, 15m, 1h or 7d")
            return nil
        }
        guard bounds.range.contains(duration) else {
            report(path, node, "must be \(bounds.text), found \(text)\(bounds.why.map { " (\($0))" } ?? "")")
            return nil
        }
        if bounds.wholeDays, duration.components.attoseconds != 0 || duration.components.seconds % 86_400 != 0 {
            report(path, node, "must be a whole number of days (such as 7d), found \(text)")
            return nil
        }
        return duration
    }

    /// A list of non-empty strings.
    mutating func stringList(_ node: Node, path: String) -> [String]? {
        guard let items = sequence(node, path: path) else { return nil }
        var strings: [String] = []
        var valid = true
        for (index, item) in items.enumerated() {
            if let text = nonEmptyString(item, path: "\(path)[\(index)]") {
                strings.append(text)
            } else {
                valid = false
            }
        }
        return valid ? strings : nil
    }

    /// An `http://` or `https://` URL with a host, without its trailing slash.
    mutating func baseURL(_ node: Node, path: String) -> String? {
        guard let text = nonEmptyString(node, path: path) else { return nil }
        let lowered = text.lowercased()
        let rest: Substring
        if lowered.hasPrefix("https://") {
            rest = text.dropFirst(8)
        } else if lowered.hasPrefix("http://") {
            rest = text.dropFirst(7)
        } else {
            report(path, node, "must be an http:// or https:// URL, found \"\(text)\"")
            return nil
        }
        guard let host = rest.split(separator: "/", omittingEmptySubsequences: false).first, !host.isEmpty,
            !rest.contains(where: { $0 == " " || $0 == "?" || $0 == "#" })
        else {
            report(path, node, "must be a URL with a host and no query, found \"\(text)\"")
            return nil
        }
        var trimmed = Substring(text)
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        return String(trimmed)
    }

    /// The trimmed contents of a secret file.
    mutating func secretFile(_ node: Node, path: String, what: String) -> Secret? {
        guard let filePath = nonEmptyString(node, path: path) else { return nil }
        do {
            let value = try SecretFile.trimmedContents(of: filePath)
            guard !value.isEmpty else {
                report(path, node, "\(what) file \"\(filePath)\" is empty")
                return nil
            }
            return Secret(value)
        } catch {
            report(path, node, "cannot read \(what) file \"\(filePath)\": \(error.reason)")
            return nil
        }
    }

    /// Replaces `${NAME}` by the environment variable NAME; an unset variable is a problem.
    /// Only the variable's name is ever reported, never a value.
    private mutating func substituteEnvironment(in text: String, path: String, node: Node) -> String? {
        guard text.contains("${") else { return text }
        var result = ""
        var rest = Substring(text)
        var valid = true
        while let start = rest.range(of: "${") {
            result += rest[..<start.lowerBound]
            let afterStart = rest[start.upperBound...]
            guard let end = afterStart.firstIndex(of: "}") else {
                report(path, node, "unterminated ${ in value")
                return nil
            }
            let name = String(afterStart[..<end])
            if !Self.isVariableName(name) {
                report(path, node, "invalid environment variable name \"\(name)\" in ${...}")
                valid = false
            } else if let value = environment[name] {
                result += value
            } else {
                report(path, node, "environment variable \(name) is not set")
                valid = false
            }
            rest = afterStart[afterStart.index(after: end)...]
        }
        result += rest
        return valid ? result : nil
    }

    private static func isVariableName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic) else {
            return false
        }
        return name.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }
    }

    static func isNull(_ node: Node) -> Bool {
        guard case .scalar(let scalar) = node, scalar.style == .plain || scalar.style == .any else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    private func describe(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar): "\"\(scalar.string)\""
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        }
    }

    /// The known fields of one mapping.
    struct Fields {
        let path: String
        let node: Node
        let values: [String: Node]

        subscript(key: String) -> Node? { values[key] }

        func path(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }
    }
}

/// The range a configured duration must fall in, as SPEC.md lists them, so that a value that passes the
/// check never fails later (no conversion of a configured duration can overflow).
struct DurationBounds {
    let range: ClosedRange<Duration>
    /// The bounds as SPEC.md writes them, for the problem message.
    let text: String
    /// Only whole days (`analytics_windows`).
    let wholeDays: Bool
    /// Why the bounds are what they are, when a user would not guess it.
    let why: String?

    init(_ lowest: String, _ highest: String, wholeDays: Bool = false, why: String? = nil) {
        range = (PrometheusDuration.parse(lowest) ?? .zero)...(PrometheusDuration.parse(highest) ?? .zero)
        text = "between \(lowest) and \(highest)"
        self.wholeDays = wholeDays
        self.why = why
    }

    static let timeout = DurationBounds("1s", "10m")
    static let interval = DurationBounds("1s", "7d")
    static let activeDaysWindow = DurationBounds("1d", "365d")
    static let analyticsWindow = DurationBounds("1d", "90d", wholeDays: true)
    static let maxStale = DurationBounds("1s", "365d")
    /// Keep in step with `WindsurfTeamConfiguration.minimumConsumptionInterval`.
    static let consumptionInterval = DurationBounds(
        "6m",
        "7d",
        why: "the consumption API allows 10 queries an hour per team and each poll sends one, so no interval under 6m is accepted"
    )
}

extension String {
    var trimmingWhitespace: Substring {
        var text = Substring(self)
        while let first = text.first, first.isWhitespace { text.removeFirst() }
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return text
    }
}
