/// Evaluates a USER_DATA query over a team's `autocomplete` rows for real: filters (ANDed), the selected
/// members (a group's), group-by keys (the `aggregations`, plus any string field selected without a function, as
/// the simulator's choice for selecting plain fields), and per group SUM/MIN/MAX/AVG of numbers, COUNT of rows,
/// and distinct counts (`distinct_*`, with or without COUNT). A query with no key gives exactly one item.
struct UserDataEvaluator {
    let context: AnalyticsColumnContext
    /// Which members count (nil: all).
    let mask: [Bool]?

    private enum Kind {
        case sum, min, max, average, rows, distinct
    }

    private struct Aggregate {
        let kind: Kind
        let column: UserDataColumn
        let alias: String
        /// Index into the group's numbers (sum/min/max/average) or distinct sets.
        let slot: Int
    }

    private struct Key {
        let column: UserDataColumn
        var aliases: [String]
    }

    func evaluate(_ query: AnalyticsQuery) throws -> [AnalyticsItem] {
        var keys: [Key] = []
        func addKey(field: String, alias: String) {
            guard let column = UserDataColumn(field: field) else { return }
            if let index = keys.firstIndex(where: { $0.column == column }) {
                keys[index].aliases.append(alias)
            } else {
                keys.append(Key(column: column, aliases: [alias]))
            }
        }
        for aggregation in query.aggregations { addKey(field: aggregation.field, alias: aggregation.alias) }
        var aggregates: [Aggregate] = []
        var numberSlots = 0
        var distinctSlots = 0
        for selection in query.selections {
            guard let column = UserDataColumn(field: selection.field) else { continue }
            let kind: Kind
            switch (selection.function, selection.spec.isDistinct) {
            case (.unspecified, false):
                addKey(field: selection.field, alias: selection.alias)
                continue
            case (_, true): kind = .distinct
            case (.count, false): kind = .rows
            case (.sum, _): kind = .sum
            case (.min, _): kind = .min
            case (.max, _): kind = .max
            case (.avg, _): kind = .average
            }
            let slot: Int
            switch kind {
            case .distinct:
                slot = distinctSlots
                distinctSlots += 1
            case .rows: slot = 0
            default:
                slot = numberSlots
                numberSlots += 1
            }
            aggregates.append(Aggregate(kind: kind, column: column, alias: selection.alias, slot: slot))
        }

        // Filters as per-code tables, concatenated (no reference counting per row); `date` filters also narrow
        // the rows scanned, which are sorted by day.
        var filterColumns: [UserDataColumn] = []
        var filterOffsets: [Int] = []
        var filterTable: [Bool] = []
        var days = context.analytics.firstDay..<(context.analytics.lastDay + 1)
        for filter in query.filters {
            guard let column = UserDataColumn(field: filter.field) else { continue }
            let table = context.table(column, filter)
            filterColumns.append(column)
            filterOffsets.append(filterTable.count)
            filterTable.append(contentsOf: table)
            if column == .date {
                let first = table.firstIndex(of: true).map { $0 + context.dayBase } ?? days.lowerBound
                let last = table.lastIndex(of: true).map { $0 + context.dayBase + 1 } ?? days.lowerBound
                let lower = max(days.lowerBound, first)
                days = lower..<max(lower, min(days.upperBound, last))
            }
        }

        // Group keys in mixed radix, the first key most significant.
        var strides = [Int](repeating: 1, count: keys.count)
        var span = 1
        for index in keys.indices.reversed() {
            strides[index] = span
            let (product, overflow) = span.multipliedReportingOverflow(by: context.cardinality(keys[index].column))
            guard !overflow else { throw WindsurfQueryError.invalidRequestBody("too many aggregations in one query") }
            span = product
        }

        // Group indexes by key: a direct table when the key space is small, else a dictionary.
        var groupTable = [Int32](repeating: -1, count: span <= 1 << 20 && !keys.isEmpty ? span : 0)
        var groupOf: [Int: Int] = [:]
        var groupKeys: [Int] = []
        var rowCounts: [Int] = []
        var numbers: [Int] = []
        var distincts: [Set<Int>] = []
        func newGroup(_ key: Int) -> Int {
            groupKeys.append(key)
            rowCounts.append(0)
            for aggregate in aggregates {
                switch aggregate.kind {
                case .sum, .average: numbers.append(0)
                case .min: numbers.append(Int.max)
                case .max: numbers.append(Int.min)
                case .distinct: distincts.append([])
                case .rows: break
                }
            }
            return groupKeys.count - 1
        }
        if keys.isEmpty { _ = newGroup(0) }

        let rows = context.analytics.autocomplete
        let range = SimulatedWindsurfAnalytics.slice(rows, days: days) { Int($0.unixDay) }
        let keyColumns = keys.map(\.column)
        let kinds = aggregates.map(\.kind)
        let columns = aggregates.map(\.column)
        let slots = aggregates.map(\.slot)
        rowLoop: for index in range {
            let row = rows[index]
            if let mask, !mask[Int(row.memberIndex)] { continue }
            for position in filterColumns.indices where !filterTable[filterOffsets[position] + context.code(filterColumns[position], row)] {
                continue rowLoop
            }
            var group = 0
            if !keyColumns.isEmpty {
                var key = 0
                for position in keyColumns.indices { key += context.code(keyColumns[position], row) * strides[position] }
                if !groupTable.isEmpty {
                    if groupTable[key] >= 0 {
                        group = Int(groupTable[key])
                    } else {
                        group = newGroup(key)
                        groupTable[key] = Int32(group)
                    }
                } else if let existing = groupOf[key] {
                    group = existing
                } else {
                    group = newGroup(key)
                    groupOf[key] = group
                }
            }
            rowCounts[group] += 1
            let numberBase = group * numberSlots
            let distinctBase = group * distinctSlots
            for position in kinds.indices {
                let value = context.code(columns[position], row)
                switch kinds[position] {
                case .sum, .average: numbers[numberBase + slots[position]] += value
                case .min: numbers[numberBase + slots[position]] = Swift.min(numbers[numberBase + slots[position]], value)
                case .max: numbers[numberBase + slots[position]] = Swift.max(numbers[numberBase + slots[position]], value)
                case .distinct: distincts[distinctBase + slots[position]].insert(value)
                case .rows: break
                }
            }
        }

        return groupKeys.indices.sorted { groupKeys[$0] < groupKeys[$1] }.map { group in
            var item = AnalyticsItem()
            for (position, key) in keys.enumerated() {
                let code = groupKeys[group] / strides[position] % context.cardinality(key.column)
                let text = context.render(key.column, code)
                for alias in key.aliases { item.add(alias, text: text) }
            }
            for aggregate in aggregates {
                let count = rowCounts[group]
                switch aggregate.kind {
                case .rows: item.add(aggregate.alias, number: count)
                case .distinct: item.add(aggregate.alias, number: distincts[group * distinctSlots + aggregate.slot].count)
                case .sum: item.add(aggregate.alias, number: numbers[group * numberSlots + aggregate.slot])
                case .min, .max: item.add(aggregate.alias, number: count == 0 ? 0 : numbers[group * numberSlots + aggregate.slot])
                case .average:
                    item.add(aggregate.alias, average: count == 0 ? 0 : Double(numbers[group * numberSlots + aggregate.slot]) / Double(count))
                }
            }
            return item
        }
    }
}
