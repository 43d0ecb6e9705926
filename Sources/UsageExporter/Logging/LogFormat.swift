/// How log lines are written to standard error: `--log.format`.
public enum LogFormat: String, Sendable, CaseIterable {
    /// `time=… level=info msg="…" key=value`, as Prometheus' own exporters write.
    case logfmt
    /// One JSON object per line.
    case json
}
