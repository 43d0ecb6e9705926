import CBuildRevision

/// The exporter's version and build facts, for `--version` and `usage_exporter_build_info`.
public enum ExporterVersion {
    /// The one place the version is set; scripts/package reads it from here.
    public static let version = "0.2.0"

    /// The git revision the binary was built from (short commit, "-dirty" with uncommitted changes), or
    /// "unknown" when the build did not set it (see Package.swift and scripts/package).
    public static let revision = String(cString: usage_exporter_build_revision())

    /// What `--version` prints.
    public static var versionLine: String { "usage-exporter \(version) (revision \(revision))" }

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
