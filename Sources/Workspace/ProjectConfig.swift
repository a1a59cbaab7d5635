import BlobStore
import Contracts
import Foundation

/// The parts of `ml/config.yaml` the store reads (`store`, `remotes`); the file's other
/// sections are listed in `sections`.
public struct ProjectConfig: Equatable, Sendable {
    /// zstd level for new chunks (`store.compression_level`, 1–19). Level 1 is the default:
    /// measured in docs/BENCHMARKS.md, it keeps adding a 500 MB CSV faster than DVC on 2 cores.
    public var compressionLevel: Int32 = 1
    /// Blob remotes by name (`remotes:` — URL and options, never secrets).
    public var remotes: [String: RemoteSpec] = [:]
    /// The remote marked `default: true`, or the only one.
    public var defaultRemote: String?

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
        return try parse(text: text, path: path)
    }

    /// The top-level sections of `ml/config.yaml`: `store` and `remotes`, read here, and `cost`
    /// and `budget`, read by the runner's `RunSettings`. Any other key is an error.
    public static let sections: Set<String> = ["store", "remotes", "cost", "budget"]

    /// Parses the config's text; `path` names it in errors. Every mapping is read strictly: an
    /// unknown key is a `ContractError.unknownKey` with its line, column and nearest valid key.
    public static func parse(text: String, path: String) throws(ContractError) -> ProjectConfig {
        var config = ProjectConfig()
        guard let root = try YAMLCursor.optionalDocument(yaml: text, file: path) else { return config }
        try root.requireKeys(in: sections)
        if let remotes = try root.optional("remotes") {
            for (name, options) in try remotes.entries() {
                try options.requireKeys(in: ["url", "endpoint", "region", "path_style", "default"])
                guard let url = try options.optional("url")?.string() else {
                    throw options.fail("each remote needs a url, as in  blobs: { url: \"s3://bucket/prefix\" }")
                }
                config.remotes[name] = RemoteSpec(name: name, url: url, endpoint: try options.optional("endpoint")?.string(),
                                                  region: try options.optional("region")?.string(),
                                                  pathStyle: try options.optional("path_style")?.bool())
                if try options.optional("default")?.bool() == true { config.defaultRemote = name }
            }
            if config.defaultRemote == nil, config.remotes.count == 1 { config.defaultRemote = config.remotes.keys.first }
        }
        if let store = try root.optional("store") {
            try store.requireKeys(in: ["compression_level"])
            if let level = try store.optional("compression_level") {
                guard let value = Int32(try level.string()), (1...19).contains(value) else {
                    throw level.fail("must be an integer from 1 to 19")
                }
                config.compressionLevel = value
            }
        }
        return config
    }
}

extension ProjectConfig {
    /// The config text with its `remotes:` section replaced by `remotes` (one flow mapping per
    /// line, the default marked); every other line of the file is kept as it is.
    static func replacingRemotes(in text: String, with remotes: [String: RemoteSpec], defaultRemote: String?) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if let start = lines.firstIndex(where: { $0.hasPrefix("remotes:") }) {
            var end = start + 1
            while end < lines.count, lines[end].isEmpty || lines[end].hasPrefix(" ") || lines[end].hasPrefix("#") { end += 1 }
            lines.removeSubrange(start..<end)
        }
        while lines.last == "" { lines.removeLast() }
        if !remotes.isEmpty {
            lines.append("remotes:")
            for (name, spec) in remotes.sorted(by: { $0.key < $1.key }) {
                var fields = ["url: \"\(spec.url)\""]
                if let e = spec.endpoint { fields.append("endpoint: \"\(e)\"") }
                if let r = spec.region { fields.append("region: \"\(r)\"") }
                if let p = spec.pathStyle { fields.append("path_style: \(p)") }
                if name == defaultRemote { fields.append("default: true") }
                lines.append("  \(name): { \(fields.joined(separator: ", ")) }")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
