import BlobStore
import Evaluation
import Foundation
import Gate
import GitRepo
import Platform
import Kernels
import Learners
import Metering
import Records

/// The environment block of a run record: what could make the same code and data give other
/// numbers elsewhere.
enum RunEnvironment {
    /// `cacheDirectory` keeps the executable's digest by its stat data (see `executableDigest`).
    static func current(toolVersion: String, executable: String?, cacheDirectory: String) -> JSONValue {
        let machine = MachineDescription.current()
        var name = utsname()
        uname(&name)
        func text<T>(_ field: T) -> String {
            withUnsafeBytes(of: field) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        }
        let binaryDigest = executable.flatMap { executableDigest($0, cacheDirectory: cacheDirectory) }
        return [
            "os": .string(machine.operatingSystem),
            "kernel": .string("\(text(name.sysname)) \(text(name.release))"),
            "architecture": .string(text(name.machine)),
            "cpu_model": .string(machine.cpuModel),
            "cpu_flags": .array(cpuFlags().map(JSONValue.string)),
            "logical_cores": .number(Double(machine.logicalCores)),
            "memory_bytes": .number(Double(machine.memoryBytes)),
            "numeric_profile": .string(NumericProfile.id),
            "gitml_version": .string(toolVersion),
            "gitml_binary_digest": binaryDigest.map(JSONValue.string) ?? .null,
            "libgit2_version": .string(Repository.libgit2Version ?? "not loadable"),
            "zstd_version": .string(Zstd.versionString),
        ]
    }

    /// SHA-256 of the file at `path`, cached under `cacheDirectory` by its device, inode, size
    /// and modification time (the stat data git's index trusts): hashing the 37 MB git-ml
    /// binary took ~20 ms of every run.
    static func executableDigest(_ path: String, cacheDirectory: String) -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        let directory = cacheDirectory + "/executables"
        let file = directory + "/\(info.st_dev)-\(info.st_ino)-\(info.st_size)-\(info.modificationNanoseconds / 1_000_000_000).\(info.modificationNanoseconds % 1_000_000_000)"
        if let cached = try? String(contentsOfFile: file, encoding: .utf8), cached.hasPrefix("sha256:") { return cached }
        guard let digest = try? Digest.ofFile(atPath: path).description else { return nil }
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try? digest.write(toFile: file, atomically: true, encoding: .utf8)
        return digest
    }

    /// The CPU features that change numeric results or speed.
    private static func cpuFlags() -> [String] {
        let relevant: Set<String> = ["sse4_2", "avx", "avx2", "fma", "avx512f", "avx512bw", "avx512vl", "sha_ni", "bmi2", "f16c"]
        return ProcessorDescription.current().flags.filter(relevant.contains).sorted()
    }
}

extension Experiment {
    /// The configuration as resolved for the record: every choice the run made, and the texts
    /// of the files it came from.
    func resolvedConfiguration(suite: Suite, experimentText: String, suiteText: String, excludedIdentifiers: [String]) -> JSONValue {
        let validation: JSONValue
        switch self.validation {
        case .random(let fraction): validation = ["split": "random", "fraction": .number(fraction)]
        case let .time(column, fraction): validation = ["split": "time", "column": .string(column), "fraction": .number(fraction)]
        case .kfold(let folds): validation = ["split": "kfold", "folds": .number(Double(folds))]
        }
        var model: [String: JSONValue] = ["kind": .string(modelKind)]
        for (key, value) in hyperparameters {
            switch value {
            case .number(let n): model[key] = .number(n)
            case .text(let t): model[key] = .string(t)
            case .flag(let f): model[key] = .bool(f)
            case .numbers(let list): model[key] = .array(list.map(JSONValue.number))
            }
        }
        return [
            // The files' texts, so `git ml reproduce` re-runs exactly this configuration.
            "experiment_file": .string(experimentText),
            "suite_file": .string(suiteText),
            "train": .string(train),
            "eval": .string(suite.evaluation.description),
            "label": .string(suite.label.column),
            "positive": suite.label.positive.map(JSONValue.string) ?? .null,
            "entity": suite.entity.map(JSONValue.string) ?? .null,
            "validation": validation,
            "features": ["include": include.map { .array($0.map(JSONValue.string)) } ?? .null,
                         "exclude": .array(exclude.map(JSONValue.string)),
                         // Identifier columns the run left out by default (see RunPreflight).
                         "excluded_identifiers": .array(excludedIdentifiers.map(JSONValue.string))],
            "model": .object(model),
            "budget": budget.withDefaultWallLimit().json,  // the limits the run was held to
            "gpus": .number(Double(gpus)),
        ]
    }
}

extension Budget {
    /// The limits as the record's configuration names them (only those set).
    var json: JSONValue {
        var fields: [String: JSONValue] = [:]
        if let v = maxCPUSeconds { fields["max_cpu_seconds"] = .number(v) }
        if let v = maxWallSeconds { fields["max_wall_seconds"] = .number(v) }
        if let v = maxUSD { fields["max_usd"] = .number(v) }
        return .object(fields)
    }
}

extension RunRecord {
    /// The identifier columns a built-in run left out of its features by default (none in
    /// records written before this field existed, which did not leave any out).
    var excludedIdentifiers: [String] {
        config["features"]?["excluded_identifiers"]?.arrayValue?.compactMap(\.stringValue) ?? []
    }
}
