/// A decoding error in words an admin can act on: what was wrong and where (`expected Double at
/// .userTableStats[3].activeDays`), quoting at most a short excerpt of the offending value.
public enum DecodingErrorDescription {
    public static func describe(_ error: any Error) -> String {
        guard let decodingError = error as? DecodingError else { return "\(error)" }
        func path(_ context: DecodingError.Context) -> String {
            let path = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return path.isEmpty ? "" : " at \(path)"
        }
        switch decodingError {
        case .dataCorrupted(let context): return context.debugDescription + path(context)
        case .keyNotFound(let key, let context): return "missing \(key.stringValue)" + path(context)
        case .typeMismatch(let type, let context): return "expected \(type)" + path(context)
        case .valueNotFound(let type, let context): return "expected \(type)" + path(context)
        @unknown default: return "\(decodingError)"
        }
    }
}
