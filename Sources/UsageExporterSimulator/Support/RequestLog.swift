/// The requests a simulator received, oldest first. It keeps the latest ``capacity`` (dropping the oldest
/// in batches), so that a simulator serving a long-running `--demo` does not grow without bound.
struct RequestLog<Request> {
    static var capacity: Int { 10_000 }

    private(set) var entries: [Request] = []

    mutating func append(_ request: Request) {
        if entries.count >= Self.capacity { entries.removeFirst(Self.capacity / 10) }
        entries.append(request)
    }

    /// Changes the entry at `index` (an index of `entries`) in place.
    mutating func update(at index: Int, _ change: (inout Request) -> Void) {
        change(&entries[index])
    }
}
