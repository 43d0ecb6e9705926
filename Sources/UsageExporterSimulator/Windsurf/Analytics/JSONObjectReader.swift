/// Reads the members of one JSON object of a request strictly: unknown members and wrong types are refused
/// (`WindsurfQueryError.invalidRequestBody`, naming the member's path), `null` counts as absent, as in proto3 JSON.
struct JSONObjectReader {
    let members: [String: JSONValue]
    /// Where the object is, for messages: `query_requests[1].selections[0]`.
    let path: String

    init(_ value: JSONValue, path: String) throws {
        guard case .object(let members) = value else {
            throw WindsurfQueryError.invalidRequestBody("\(path.isEmpty ? "the body" : path) must be an object, not \(value.typeName)")
        }
        self.members = members
        self.path = path
    }

    /// Refuses any member not in `known`.
    func requireOnly(_ known: Set<String>) throws {
        if let unknown = members.keys.sorted().first(where: { !known.contains($0) }) {
            throw WindsurfQueryError.invalidRequestBody("unknown field \"\(unknown)\"\(path.isEmpty ? "" : " in \(path)")")
        }
    }

    func name(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func string(_ key: String) throws -> String? {
        switch members[key] {
        case nil, .null: return nil
        case .string(let value): return value
        case .some(let other): throw WindsurfQueryError.invalidRequestBody("\(name(key)) must be a string, not \(other.typeName)")
        }
    }

    func bool(_ key: String) throws -> Bool? {
        switch members[key] {
        case nil, .null: return nil
        case .bool(let value): return value
        case .some(let other): throw WindsurfQueryError.invalidRequestBody("\(name(key)) must be a boolean, not \(other.typeName)")
        }
    }

    func array(_ key: String) throws -> [JSONValue]? {
        switch members[key] {
        case nil, .null: return nil
        case .array(let value): return value
        case .some(let other): throw WindsurfQueryError.invalidRequestBody("\(name(key)) must be an array, not \(other.typeName)")
        }
    }

    func strings(_ key: String) throws -> [String]? {
        try array(key).map { values in
            try values.enumerated().map { index, value in
                guard case .string(let text) = value else {
                    throw WindsurfQueryError.invalidRequestBody("\(name(key))[\(index)] must be a string, not \(value.typeName)")
                }
                return text
            }
        }
    }
}
