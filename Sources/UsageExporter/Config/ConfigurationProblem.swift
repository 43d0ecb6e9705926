/// One thing wrong with a configuration file, located by file, key path and line.
public struct ConfigurationProblem: Sendable, Equatable, CustomStringConvertible {
    public let file: String
    /// The key path, e.g. `windsurf[0].interval`; empty for the document itself.
    public let path: String
    /// The 1-based line of the offending node, when known.
    public let line: Int?
    public let message: String

    public init(file: String, path: String, line: Int?, message: String) {
        self.file = file
        self.path = path
        self.line = line
        self.message = message
    }

    /// `file:line: path: message`, the form compilers use, so editors can jump to it.
    public var description: String {
        var text = file
        if let line { text += ":\(line)" }
        if !text.isEmpty { text += ": " }
        if !path.isEmpty { text += "\(path): " }
        return text + message
    }
}

/// A configuration that cannot be used, with every problem found in it.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public let problems: [ConfigurationProblem]

    public init(problems: [ConfigurationProblem]) {
        self.problems = problems
    }

    /// One line per problem.
    public var description: String {
        problems.map(\.description).joined(separator: "\n")
    }
}
