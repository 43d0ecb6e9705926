/// An ordered set of label names and values, escaped once into the `{name="value",...}` block of a series.
///
/// Collectors build label sets once per poll; a scrape only copies the rendered block.
public struct LabelSet: Sendable, Hashable {
    /// The rendered block, braces included, or empty when there are no labels.
    public let rendered: String

    public init(_ pairs: [(String, String)]) {
        guard !pairs.isEmpty else {
            self.rendered = ""
            return
        }
        var block = "{"
        for (index, (name, value)) in pairs.enumerated() {
            if index > 0 { block += "," }
            block += name
            block += "=\""
            block += ExpositionText.escapeLabelValue(value)
            block += "\""
        }
        block += "}"
        self.rendered = block
    }

    /// A label set extended by more labels, escaped once.
    public func adding(_ pairs: [(String, String)]) -> LabelSet {
        guard !pairs.isEmpty else { return self }
        let extra = LabelSet(pairs).rendered
        if rendered.isEmpty { return LabelSet(rendered: extra) }
        return LabelSet(rendered: String(rendered.dropLast()) + "," + extra.dropFirst())
    }

    private init(rendered: String) {
        self.rendered = rendered
    }

    public static let empty = LabelSet([(String, String)]())
}
