import Foundation

/// The release of this build: printed by `--version`, in `/api/health` and as `scribe_build_info`.
/// `make dist` names its tarball after it; raise it with each release.
public enum ScribeVersion {
    public static let string = "0.9.0"

    /// `--version` for the executables without an argument parser: prints and exits when asked.
    public static func handleFlag(_ arguments: [String], program: String) {
        guard arguments.count == 2, arguments[1] == "--version" || arguments[1] == "-V" else { return }
        print("\(program) \(string)")
        exit(0)
    }
}
