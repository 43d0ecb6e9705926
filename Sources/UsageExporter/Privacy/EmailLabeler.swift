/// Turns an upstream email address into the `email` label value, the same way for every source so that
/// Windsurf and Workspace series join on it: trimmed and lower-cased.
public struct EmailLabeler: Sendable {
    public init() {}

    /// The label value for `email`, or nil when the address is empty.
    public func label(for email: String) -> String? {
        let normalized = email.trimmingWhitespace.lowercased()
        return normalized.isEmpty ? nil : normalized
    }
}
