/// The exporter's version and build facts, for `--version` and `usage_exporter_build_info`.
public enum ExporterVersion {
    /// The one place the version is set; scripts/package reads it from here.
    public static let version = "0.2.0"

    /// The git revision the binary was built from (short commit, "-dirty" when tracked files had changes), or
    /// "unknown" for sources that are not a git checkout (Plugins/BuildRevisionPlugin writes it at every build).
    public static let revision = buildRevision

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
