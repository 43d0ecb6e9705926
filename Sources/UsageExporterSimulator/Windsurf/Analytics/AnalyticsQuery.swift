import UsageExporter

/// One custom-analytics query request, parsed and checked against every documented rule (reference §3), in the
/// order: shape, data source, something selected, known fields, no `distinct_*` in aggregations, all-or-none
/// functions, functions valid for their fields, unique aliases, then filters.
struct AnalyticsQuery: Sendable {
    struct Selection: Sendable {
        let field: String
        let spec: AnalyticsFieldSpec
        let function: AnalyticsAggregationFunction
        let alias: String
    }

    struct Filter: Sendable {
        let field: String
        let spec: AnalyticsFieldSpec
        let op: AnalyticsFilterOperator
        let value: String
    }

    struct Aggregation: Sendable {
        let field: String
        let spec: AnalyticsFieldSpec
        let alias: String
    }

    let dataSource: AnalyticsDataSource
    let selections: [Selection]
    /// The most filters one query may have, and the most queries one request may hold (the simulator's own
    /// bounds, far above what the exporter sends).
    static let maximumFilters = 32
    static let maximumQueries = 32
    let filters: [Filter]
    let aggregations: [Aggregation]

    /// Parses `query_requests[index]`. A selection without `name` gets the alias `<field>` (no function) or
    /// `<function>_<field>` (`sum_num_acceptances`): the docs' rule 5, its exact form being the simulator's choice.
    /// Aggregations need both `field` and `name`, and filters all of `name`, `filter` and `value`, as documented.
    init(parsing value: JSONValue, index: Int) throws {
        let path = "query_requests[\(index)]"
        let reader = try JSONObjectReader(value, path: path)
        try reader.requireOnly(["data_source", "selections", "filters", "aggregations"])
        let rawSelections = try (reader.array("selections") ?? []).enumerated().map { offset, value in
            let selection = try JSONObjectReader(value, path: "\(path).selections[\(offset)]")
            try selection.requireOnly(["field", "name", "aggregation_function"])
            guard let field = try selection.string("field") else {
                throw WindsurfQueryError.invalidRequestBody("\(selection.path).field is required")
            }
            return (
                field: field, name: try selection.string("name"),
                function: AnalyticsAggregationFunction(parsing: try selection.string("aggregation_function"))
            )
        }
        let rawAggregations = try (reader.array("aggregations") ?? []).enumerated().map { offset, value in
            let aggregation = try JSONObjectReader(value, path: "\(path).aggregations[\(offset)]")
            try aggregation.requireOnly(["field", "name"])
            guard let field = try aggregation.string("field") else {
                throw WindsurfQueryError.invalidRequestBody("\(aggregation.path).field is required")
            }
            guard let name = try aggregation.string("name") else {
                throw WindsurfQueryError.invalidRequestBody("\(aggregation.path).name is required")
            }
            return (field: field, name: name)
        }
        let filterValues = try reader.array("filters") ?? []
        // Each number filter costs a table of 64 Ki entries: a bound keeps one request from exhausting the demo.
        guard filterValues.count <= Self.maximumFilters else {
            throw WindsurfQueryError.invalidRequestBody("\(path).filters: at most \(Self.maximumFilters) filters")
        }
        let rawFilters = try filterValues.enumerated().map { offset, value in
            let filter = try JSONObjectReader(value, path: "\(path).filters[\(offset)]")
            try filter.requireOnly(["name", "filter", "value"])
            guard let name = try filter.string("name") else { throw WindsurfQueryError.invalidRequestBody("\(filter.path).name is required") }
            guard let value = try filter.string("value") else { throw WindsurfQueryError.invalidRequestBody("\(filter.path).value is required") }
            return (name: name, op: AnalyticsFilterOperator(parsing: try filter.string("filter")), value: value)
        }

        guard let dataSource = try reader.string("data_source").flatMap(AnalyticsDataSource.init(rawValue:)) else {
            throw WindsurfQueryError.invalidQueryTable
        }
        guard !rawSelections.isEmpty || !rawAggregations.isEmpty else { throw WindsurfQueryError.noFieldOrAggregation }
        if dataSource == .pcwData, !rawAggregations.isEmpty { throw WindsurfQueryError.aggregationNotSupported(dataSource: dataSource.rawValue) }
        func fieldSpec(_ field: String, filter: Bool = false) throws -> AnalyticsFieldSpec {
            guard let spec = dataSource.field(field), filter || !spec.filterOnly else {
                throw WindsurfQueryError.unknownField(field: field, dataSource: dataSource.rawValue)
            }
            return spec
        }
        let selectionSpecs = try rawSelections.map { try fieldSpec($0.field) }
        let aggregationSpecs = try rawAggregations.map { try fieldSpec($0.field) }
        for (raw, spec) in zip(rawAggregations, aggregationSpecs) {
            if case .distinct(let instead) = spec.kind { throw WindsurfQueryError.distinctFieldAggregated(field: raw.field, instead: instead) }
        }
        let withFunction = rawSelections.filter { $0.function != .unspecified }.count
        if withFunction > 0, withFunction < rawSelections.count { throw WindsurfQueryError.mixedAggregationFunctions }
        for (raw, spec) in zip(rawSelections, selectionSpecs) where !spec.functions.contains(raw.function) {
            throw WindsurfQueryError.invalidAggregationFunction(type: spec.typeName, field: raw.field, function: raw.function.rawValue)
        }
        selections = zip(rawSelections, selectionSpecs).map { raw, spec in
            let alias =
                raw.name.flatMap { $0.isEmpty ? nil : $0 }
                ?? (raw.function == .unspecified ? raw.field : "\(raw.function.shortName)_\(raw.field)")
            return Selection(field: raw.field, spec: spec, function: raw.function, alias: alias)
        }
        aggregations = zip(rawAggregations, aggregationSpecs).map { Aggregation(field: $0.field, spec: $1, alias: $0.name) }
        var aliases: Set<String> = []
        for alias in selections.map(\.alias) + aggregations.map(\.alias) where !aliases.insert(alias).inserted {
            throw WindsurfQueryError.duplicateAlias(alias)
        }
        filters = try rawFilters.map { raw in
            let spec = try fieldSpec(raw.name, filter: true)
            if spec.isDistinct { throw WindsurfQueryError.distinctFieldFiltered(raw.name) }
            guard raw.op != .unspecified else {
                throw WindsurfQueryError.invalidFilterOperator(field: raw.name, operator: raw.op.rawValue)
            }
            guard Self.isValid(value: raw.value, field: raw.name, spec: spec) else {
                throw WindsurfQueryError.invalidFilterValue(field: raw.name, value: raw.value)
            }
            return Filter(field: raw.name, spec: spec, op: raw.op, value: raw.value)
        }
        self.dataSource = dataSource
    }

    /// Whether a filter's `value` suits the field: a `YYYY-MM-DD` date for `date` and `date UTC±x`, an hour 0–23,
    /// a number, `true` or `false`; any text for the other string fields.
    static func isValid(value: String, field: String, spec: AnalyticsFieldSpec) -> Bool {
        switch spec.kind {
        case .string:
            if field == "date" || AnalyticsDataSource.shiftedDateHours(field) != nil { return RFC3339Timestamp.day(ofDate: value) != nil }
            if field == "hour" { return Int(value).map { (0...23).contains($0) } ?? false }
            return true
        case .number: return Double(value) != nil
        case .boolean: return value == "true" || value == "false"
        case .distinct: return false
        }
    }
}
