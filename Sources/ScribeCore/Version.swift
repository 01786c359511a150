import Foundation

/// The release of this build: printed by `--version`, in `/api/health` and as `scribe_build_info`.
/// `make dist` names its tarball after it; raise it with each release.
public enum ScribeVersion {
    public static let string = "0.9.0"

    /// Whether the arguments ask for `--version` (or `-V`) alone, for the executables without an argument
    /// parser; each prints `<program> <version>` itself and exits.
    public static func isRequested(by arguments: [String]) -> Bool {
        arguments.count == 2 && (arguments[1] == "--version" || arguments[1] == "-V")
    }
}
