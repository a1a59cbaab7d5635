import Foundation

/// The profiles of the AWS shared `config` and `credentials` files, merged as the AWS SDKs
/// merge them: `[profile NAME]` (or `[default]`) sections of the config file, `[NAME]` sections
/// of the credentials file, the credentials file's value winning for a key set in both.
/// Keys are lowercased; indented sub-settings (`s3 =` blocks) are skipped.
public struct AWSSharedConfig: Sendable, Equatable {
    /// Profile name → its settings.
    public var profiles: [String: [String: String]]
    /// The files read, for error messages (`~/.aws/config and ~/.aws/credentials`).
    public var files: String

    public init(profiles: [String: [String: String]], files: String) {
        self.profiles = profiles
        self.files = files
    }

    /// Reads `AWS_CONFIG_FILE` (default `~/.aws/config`) and `AWS_SHARED_CREDENTIALS_FILE`
    /// (default `~/.aws/credentials`); a missing file holds no profiles.
    public static func load(_ environment: [String: String]) -> AWSSharedConfig {
        let home = environment["HOME"] ?? NSHomeDirectory()
        let configPath = environment["AWS_CONFIG_FILE"] ?? home + "/.aws/config"
        let credentialsPath = environment["AWS_SHARED_CREDENTIALS_FILE"] ?? home + "/.aws/credentials"
        let config = (try? String(contentsOfFile: configPath, encoding: .utf8)) ?? ""
        let credentials = (try? String(contentsOfFile: credentialsPath, encoding: .utf8)) ?? ""
        return parse(config: config, credentials: credentials, files: "\(configPath) and \(credentialsPath)")
    }

    /// Merges the texts of a config file and a credentials file.
    public static func parse(config: String, credentials: String, files: String = "the AWS config files") -> AWSSharedConfig {
        var profiles: [String: [String: String]] = [:]
        for (section, values) in sections(config) {
            let name: String
            if section == "default" {
                name = "default"
            } else if section.hasPrefix("profile ") || section.hasPrefix("profile\t") {
                name = section.dropFirst("profile".count).trimmingCharacters(in: .whitespaces)
            } else {
                continue  // sso-session, services and other non-profile sections
            }
            profiles[name, default: [:]].merge(values) { _, new in new }
        }
        for (section, values) in sections(credentials) {
            profiles[section, default: [:]].merge(values) { _, new in new }
        }
        return AWSSharedConfig(profiles: profiles, files: files)
    }

    /// The sections of an INI text in order, each with its `key = value` settings.
    static func sections(_ text: String) -> [(String, [String: String])] {
        var found: [(String, [String: String])] = []
        var inSubsection = false
        for rawLine in text.split(whereSeparator: \.isNewline) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("["), line.hasSuffix("]") {
                found.append((line.dropFirst().dropLast().trimmingCharacters(in: .whitespaces), [:]))
                inSubsection = false
                continue
            }
            let indented = rawLine.first?.isWhitespace ?? false
            guard !found.isEmpty, !(indented && inSubsection), let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            inSubsection = value.isEmpty
            if !value.isEmpty { found[found.count - 1].1[key] = value }
        }
        return found
    }
}
