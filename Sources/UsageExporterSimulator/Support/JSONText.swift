import UsageExporter

/// Writes JSON text by hand, so the simulator controls the exact form of each value, as a real proto3
/// JSON encoder would vary it: numbers as strings, omitted fields, fractional digits.
public enum JSONText {
    /// A JSON string literal.
    public static func string(_ value: String) -> String {
        JSONStringLiteral.encode(value)
    }

    /// An object from already-encoded member values, in order.
    public static func object(_ members: [(String, String)]) -> String {
        "{" + members.map { "\(string($0.0)):\($0.1)" }.joined(separator: ",") + "}"
    }
}
