import Foundation

/// The Python packages a wrapped command can see, for `git ml exec` lineage.
public enum PythonPackages {
    /// The output of `<python> -m pip freeze --all` run with `environment` (so a virtual
    /// environment on its PATH is the one asked), or `nil` when that Python does not exist or
    /// pip fails. The text is returned as is; the caller digests it (SHA-256 lives in Records).
    public static func freeze(python: String = "python3", environment: [String: String]) -> String? {
        let output = FileManager.default.temporaryDirectory
            .appendingPathComponent("gitml-pip-freeze-\(getpid())-\(UUID().uuidString)").path
        defer { unlink(output) }
        let spec = LaunchSpec(arguments: [python, "-m", "pip", "freeze", "--all"], environment: environment,
                              standardInput: .nullDevice, standardOutput: .file(path: output), standardError: .nullDevice)
        let options = MeteringOptions(budget: Budget(maxWallSeconds: 120), methodPreference: .rusage)
        guard let result = try? MeteredProcess.run(spec, options: options), result.outcome == .completed,
              result.exitStatus.isSuccess else { return nil }
        return try? String(contentsOfFile: output, encoding: .utf8)
    }
}
