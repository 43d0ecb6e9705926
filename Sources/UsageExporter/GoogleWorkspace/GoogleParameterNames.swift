/// Report parameters whose name in a request differs from the name the answer carries, as GAM users know
/// them: asking for `drive:last_active_usage_time` is refused with HTTP 400, it must be asked for as
/// `drive:timestamp_last_active_usage`, and the answer then names it `drive:last_active_usage_time`.
public enum GoogleParameterNames {
    /// Answer name → request name.
    static let requestNames = ["drive:last_active_usage_time": "drive:timestamp_last_active_usage"]
    static let answerNames = Dictionary(uniqueKeysWithValues: requestNames.map { ($1, $0) })

    /// The name to send for a configured name (either spelling may be configured).
    public static func requestName(for configured: String) -> String {
        requestNames[configured] ?? configured
    }

    /// The name the answer carries for a requested name.
    public static func answerName(for requested: String) -> String {
        answerNames[requested] ?? requested
    }

    /// The application of `app:param`.
    public static func application(of name: String) -> Substring {
        name.split(separator: ":", maxSplits: 1).first ?? Substring(name)
    }
}

/// The parameters one poll asks a report for: the configured names in their request spelling, minus those
/// Google refused during this poll (each refusal costs one name, not the report).
public struct GoogleRequestedParameters: Sendable {
    /// Request names; empty asks for every parameter (the customer report's default).
    public private(set) var names: [String]
    /// Configured names Google refused in this poll, in request spelling.
    public private(set) var refused: [String] = []

    init(configured: [String]) {
        var seen: Set<String> = []
        names = configured.map(GoogleParameterNames.requestName(for:)).filter { seen.insert($0).inserted }
    }

    /// Drops the requested name that `message` ("Invalid parameter name <param> for application <app>")
    /// refuses, and returns it; nil when the message names none of them.
    mutating func refuse(_ message: String) -> String? {
        let words = message.split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard let nameIndex = words.firstIndex(of: "name"), nameIndex > 1, words[nameIndex - 1] == "parameter",
            words[nameIndex - 2].lowercased() == "invalid", nameIndex + 3 < words.count, words[nameIndex + 2] == "for",
            words[nameIndex + 3] == "application", nameIndex + 4 < words.count
        else { return nil }
        let parameter = String(words[nameIndex + 1])
        let application = String(words[nameIndex + 4].filter { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" })
        guard let index = names.firstIndex(of: "\(application):\(parameter)") else { return nil }
        refused.append(names.remove(at: index))
        return refused.last
    }

    /// The answer names this request should bring back.
    public var expectedAnswerNames: [String] { names.map(GoogleParameterNames.answerName(for:)) }
}
