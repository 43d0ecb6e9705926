/// One `responseItems` entry: alias → value, zero numbers already left out. Written with its aliases sorted (as the
/// docs' PCW example shows them); an item with no members is written `{}`, without `item`, as proto3 JSON omits
/// an empty map.
struct AnalyticsItem {
    var members: [(alias: String, value: String)] = []

    mutating func add(_ alias: String, text: String) {
        members.append((alias, text))
    }

    /// Adds a count, unless it is 0.
    mutating func add(_ alias: String, number: Int) {
        if number != 0 { members.append((alias, String(number))) }
    }

    /// Adds an average, unless it is 0: whole numbers without a fraction, others as Swift's shortest form.
    mutating func add(_ alias: String, average: Double) {
        guard average != 0 else { return }
        members.append((alias, average == average.rounded() && abs(average) < 1e15 ? String(Int(average)) : String(average)))
    }

    func write(to output: inout JSONBytes) {
        guard !members.isEmpty else {
            output.append("{}")
            return
        }
        output.append("{\"item\":{")
        for (index, member) in members.sorted(by: { $0.alias < $1.alias }).enumerated() {
            if index > 0 { output.append(",") }
            output.append(string: member.alias)
            output.append(":")
            output.append(string: member.value)
        }
        output.append("}}")
    }

    /// A `queryResults` element: `{"responseItems":[…]}`, or `{}` when there are none (proto3 JSON omits an
    /// empty list).
    static func writeResult(_ items: [AnalyticsItem], to output: inout JSONBytes) {
        guard !items.isEmpty else {
            output.append("{}")
            return
        }
        output.append("{\"responseItems\":[")
        for (index, item) in items.enumerated() {
            if index > 0 { output.append(",") }
            item.write(to: &output)
        }
        output.append("]}")
    }
}
