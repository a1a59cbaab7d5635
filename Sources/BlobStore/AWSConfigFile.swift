import Foundation

/// The profiles of the AWS shared `config` and `credentials` files, merged as the AWS SDKs
/// merge them: `[profile NAME]` (or `[default]`) sections of the config file, `[NAME]` sections
/// of the credentials file, the credentials file's value winning for a key set in both.
/// `[sso-session NAME]` and `[services NAME]` sections of the config file are kept apart.
/// Keys are lowercased; a key with no value opens a block of indented sub-settings (`s3 =`
/// then `  endpoint_url = …`), kept for `[services]` sections and skipped in profiles.
public struct AWSSharedConfig: Sendable, Equatable {
    /// Profile name → its settings.
    public var profiles: [String: [String: String]]
    /// SSO session name → its settings (`sso_start_url`, `sso_region`).
    public var ssoSessions: [String: [String: String]]
    /// `[services NAME]` section → service identifier (`s3`, `sts`, `sso_oidc`) → its
    /// sub-settings (`endpoint_url`), for `AWSEndpoints`.
    public var services: [String: [String: [String: String]]]
    /// The files read, for error messages (`~/.aws/config and ~/.aws/credentials`).
    public var files: String

    public init(profiles: [String: [String: String]], ssoSessions: [String: [String: String]] = [:],
                services: [String: [String: [String: String]]] = [:], files: String) {
        self.profiles = profiles
        self.ssoSessions = ssoSessions
        self.services = services
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
        var services: [String: [String: [String: String]]] = [:]
        for section in sections(config) {
            if section.title == "default" {
                profiles["default", default: [:]].merge(section.settings) { _, new in new }
            } else if let name = named(section.title, "profile") {
                profiles[name, default: [:]].merge(section.settings) { _, new in new }
            } else if let name = named(section.title, "sso-session") {
                ssoSessions[name, default: [:]].merge(section.settings) { _, new in new }
            } else if let name = named(section.title, "services") {
                services[name, default: [:]].merge(section.blocks) { old, new in old.merging(new) { _, later in later } }
            }  // other sections do not concern credentials or endpoints
        }
        for section in sections(credentials) {
            profiles[section.title, default: [:]].merge(section.settings) { _, new in new }
        }
        return AWSSharedConfig(profiles: profiles, ssoSessions: ssoSessions, services: services, files: files)
    }

    /// `NAME` of a `KIND NAME` section title.
    private static func named(_ section: String, _ kind: String) -> String? {
        guard section.hasPrefix(kind), let next = section.dropFirst(kind.count).first, next.isWhitespace else { return nil }
        return section.dropFirst(kind.count).trimmingCharacters(in: .whitespaces)
    }

    /// One `[TITLE]` section: its `key = value` settings and its blocks of indented
    /// sub-settings (`key =` with no value, then indented `key = value` lines).
    struct Section {
        var title: String
        var settings: [String: String] = [:]
        var blocks: [String: [String: String]] = [:]
    }

    /// The sections of an INI text in order.
    static func sections(_ text: String) -> [Section] {
        var found: [Section] = []
        var block: String?
        for rawLine in text.split(whereSeparator: \.isNewline) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("["), line.hasSuffix("]") {
                found.append(Section(title: line.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)))
                block = nil
                continue
            }
            guard !found.isEmpty, let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if let open = block, rawLine.first?.isWhitespace ?? false {
                if !value.isEmpty { found[found.count - 1].blocks[open, default: [:]][key] = value }
                continue
            }
            block = value.isEmpty ? key : nil
            if !value.isEmpty { found[found.count - 1].settings[key] = value }
        }
        return found
    }
}
