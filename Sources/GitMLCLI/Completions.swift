import ArgumentParser
import Foundation
import GitRepo

/// Dynamic shell completion of the repository's names (`git ml data show <TAB>`): read from refs
/// and `ml/suites/` of the repository around the current folder, quickly, and never failing
/// (outside a repository there is nothing to complete).
enum Complete {
    /// Dataset names, from `refs/ml/datasets/<name>/v<N>`.
    static let datasets = CompletionKind.custom { _, _, prefix in
        names(refPrefix: "refs/ml/datasets/").map { ref in String(ref.split(separator: "/").dropLast().joined(separator: "/")) }
            .uniqued().filter { $0.hasPrefix(prefix) }
    }

    /// Dataset names and their versions as `name@vN`, from the same refs.
    static let datasetVersions = CompletionKind.custom { _, _, prefix in
        names(refPrefix: "refs/ml/datasets/").flatMap { ref in
            var parts = ref.split(separator: "/").map(String.init)
            let version = parts.removeLast()
            let name = parts.joined(separator: "/")
            return [name, name + "@" + version]
        }.uniqued().filter { $0.hasPrefix(prefix) }
    }

    /// Run ids as their 12-digit short form, from `refs/ml/runs/<hex>`.
    static let runs = CompletionKind.custom { _, _, prefix in
        names(refPrefix: "refs/ml/runs/").map { String($0.prefix(12)) }.filter { $0.hasPrefix(prefix) }
    }

    /// Suite names, from `ml/suites/<name>.yaml` in the work tree.
    static let suites = CompletionKind.custom { _, _, prefix in
        guard let root = (try? Repository(discoveringFrom: currentDirectory))?.workdir,
              let files = try? FileManager.default.contentsOfDirectory(atPath: (root as NSString).appendingPathComponent("ml/suites"))
        else { return [] }
        return files.filter { $0.hasSuffix(".yaml") }.map { String($0.dropLast(".yaml".count)) }.sorted().filter { $0.hasPrefix(prefix) }
    }

    /// The ref names under `refPrefix`, with the prefix removed.
    private static func names(refPrefix: String) -> [String] {
        guard let refs = try? Repository(discoveringFrom: currentDirectory).refs(withPrefix: refPrefix) else { return [] }
        return refs.map { String($0.name.dropFirst(refPrefix.count)) }
    }
}

private extension Array where Element == String {
    /// The elements in order, each once.
    func uniqued() -> [String] {
        var seen = Set<String>()
        return filter { seen.insert($0).inserted }
    }
}
