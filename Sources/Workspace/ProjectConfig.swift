import Foundation
import Yams

/// The parts of `ml/config.yaml` the store reads. Unknown keys are left to other readers.
public struct ProjectConfig: Equatable, Sendable {
    /// zstd level for new chunks (`store.compression_level`, 1–19). Level 1 is the default:
    /// measured in docs/BENCHMARKS.md, it keeps adding a 500 MB CSV faster than DVC on 2 cores.
    public var compressionLevel: Int32 = 1

    public init() {}

    /// The text `git ml init` writes.
    public static let template = """
        # GitML project configuration (reviewed in pull requests; never put secrets here).
        store:
          compression_level: 1   # zstd level for new chunks (1 fast … 19 small)

        """

    /// Reads the config; a missing file gives the defaults, a malformed one an error naming it.
    public static func load(path: String) throws -> ProjectConfig {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return ProjectConfig() }
        var config = ProjectConfig()
        let node: Node?
        do { node = try Yams.compose(yaml: text) } catch {
            throw WorkspaceError.invalidConfig(path: path, reason: "\(error)")
        }
        guard let store = node?.mapping?["store"] else { return config }
        if let level = store.mapping?["compression_level"] {
            guard let v = level.int, (1...19).contains(v) else {
                throw WorkspaceError.invalidConfig(path: path, reason: "line \(level.mark?.line ?? 0): store.compression_level must be an integer from 1 to 19")
            }
            config.compressionLevel = Int32(v)
        }
        return config
    }
}
