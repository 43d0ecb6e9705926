import Foundation
import PackagePlugin

/// Records the git revision of the checkout in every build, so that `--version`, `usage_exporter_build_info` and
/// the landing page name the commit a binary was built from (short commit, `-dirty` when tracked files differ
/// from it), as Go exporters do. A source tree that is not its own git checkout (a tarball of the sources)
/// says `unknown`; `USAGE_EXPORTER_REVISION`, when set, overrides both.
///
/// A prebuild command, so it runs before every build: `scripts/build-revision` asks `git` each time and rewrites
/// the generated file only when the revision changed, so an unchanged revision recompiles nothing.
@main
struct BuildRevisionPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let output = context.pluginWorkDirectoryURL.appendingPathComponent("Generated")
        var environment: [String: String] = ["PATH": "/usr/local/bin:/usr/bin:/bin"]
        if let revision = ProcessInfo.processInfo.environment["USAGE_EXPORTER_REVISION"] {
            environment["USAGE_EXPORTER_REVISION"] = revision
        }
        return [
            .prebuildCommand(
                displayName: "Recording the git revision",
                executable: URL(fileURLWithPath: "/bin/sh"),
                arguments: [
                    context.package.directoryURL.appendingPathComponent("scripts/build-revision").path, context.package.directoryURL.path,
                    output.path,
                ],
                environment: environment,
                outputFilesDirectory: output
            )
        ]
    }
}
