/// The exporter's version and build facts, for `--version` and `usage_exporter_build_info`.
public enum ExporterVersion {
    public static let version = "0.1.0"

    public static var swiftVersion: String {
        #if swift(>=6.3)
        "6.3"
        #elseif swift(>=6.2)
        "6.2"
        #elseif swift(>=6.1)
        "6.1"
        #else
        "6.0"
        #endif
    }
}
