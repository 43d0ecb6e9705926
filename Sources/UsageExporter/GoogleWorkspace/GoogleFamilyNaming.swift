/// The naming rules of SPEC.md for Workspace parameters: `google_workspace_[user_]<app>_<param>`,
/// sanitized, in base units.
public enum GoogleFamilyNaming {
    /// Replaces every character outside `[a-zA-Z0-9_]` with `_`.
    public static func sanitize(_ text: String) -> String {
        String(
            String.UnicodeScalarView(
                text.unicodeScalars.map { scalar in
                    scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "_") ? scalar : "_"
                }
            )
        )
    }

    /// A valid label name from a msgValue field: sanitized, not starting with a digit or `__`.
    public static func labelName(_ field: String) -> String {
        var name = sanitize(field)
        if name.isEmpty || name.first!.isNumber || name.hasPrefix("__") { name = "field_" + name }
        return name
    }

    /// The family base of `app:param`: `google_workspace_<app>_<param>`, or `google_workspace_user_…`.
    public static func base(of parameter: String, userReport: Bool) -> String {
        let prefix = userReport ? "google_workspace_user_" : "google_workspace_"
        guard let colon = parameter.firstIndex(of: ":") else { return prefix + sanitize(parameter) }
        let app = parameter[..<colon]
        let name = parameter[parameter.index(after: colon)...]
        return prefix + sanitize(String(app)) + "_" + sanitize(String(name))
    }

    /// The base-unit form of a family name and the factor its values are multiplied by:
    /// `_in_mb`/`_mb` → `_bytes` (× 1,048,576), `_minutes`/`_hours`/`_days` → `_seconds`.
    public static func baseUnits(_ name: String) -> (name: String, factor: Double) {
        let rules: [(suffix: String, replacement: String, factor: Double)] = [
            ("_in_mb", "_bytes", 1_048_576), ("_mb", "_bytes", 1_048_576),
            ("_minutes", "_seconds", 60), ("_hours", "_seconds", 3600), ("_days", "_seconds", 86_400),
        ]
        for rule in rules where name.hasSuffix(rule.suffix) {
            return (String(name.dropLast(rule.suffix.count)) + rule.replacement, rule.factor)
        }
        return (name, 1)
    }

    /// A datetime parameter's family: a trailing `_time` dropped, then `_timestamp_seconds`.
    public static func timestampName(_ base: String) -> String {
        (base.hasSuffix("_time") ? String(base.dropLast(5)) : base) + "_timestamp_seconds"
    }
}
