import Foundation

/// The profiles of the AWS shared `config` and `credentials` files, merged as the AWS SDKs
/// merge them: `[profile NAME]` (or `[default]`) sections of the config file, `[NAME]` sections
/// of the credentials file, the credentials file's value winning for a key set in both.
/// `[sso-session NAME]` sections of the config file are kept apart. Keys are lowercased;
/// indented sub-settings (`s3 =` blocks) are skipped.
public struct AWSSharedConfig: Sendable, Equatable {
    /// Profile name → its settings.
    public var profiles: [String: [String: String]]
    /// SSO session name → its settings (`sso_start_url`, `sso_region`).
    public var ssoSessions: [String: [String: String]]
    /// The files read, for error messages (`~/.aws/config and ~/.aws/credentials`).
    public var files: String

    public init(profiles: [String: [String: String]], ssoSessions: [String: [String: String]] = [:], files: String) {
        self.profiles = profiles
        self.ssoSessions = ssoSessions
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
        var ssoSessions: [String: [String: String]] = [:]
        for (section, values) in sections(config) {
            if section == "default" {
                profiles["default", default: [:]].merge(values) { _, new in new }
            } else if let name = named(section, "profile") {
                profiles[name, default: [:]].merge(values) { _, new in new }
            } else if let name = named(section, "sso-session") {
                ssoSessions[name, default: [:]].merge(values) { _, new in new }
            }  // services and other sections do not concern credentials
        }
        for (section, values) in sections(credentials) {
            profiles[section, default: [:]].merge(values) { _, new in new }
        }
        return AWSSharedConfig(profiles: profiles, ssoSessions: ssoSessions, files: files)
    }

    /// `NAME` of a `KIND NAME` section title.
    private static func named(_ section: String, _ kind: String) -> String? {
        guard section.hasPrefix(kind), let next = section.dropFirst(kind.count).first, next.isWhitespace else { return nil }
        return section.dropFirst(kind.count).trimmingCharacters(in: .whitespaces)
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
