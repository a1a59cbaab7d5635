import Foundation

/// Where to reach an AWS service when it is not AWS itself (MinIO, LocalStack, moto, a VPC
/// endpoint), as the AWS SDKs' "service-specific endpoints" setting resolves it. For service
/// `ID` (`s3`, `sts`, `sso`, `sso_oidc`), the first that is set wins:
/// 1. `AWS_ENDPOINT_URL_<ID>` (upper case, e.g. `AWS_ENDPOINT_URL_SSO_OIDC`);
/// 2. `AWS_ENDPOINT_URL`;
/// 3. `endpoint_url` under `ID =` in the `[services NAME]` section the profile's `services` names;
/// 4. the profile's own `endpoint_url`;
/// else nil (the service's AWS endpoint). `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true`, or
/// `ignore_configured_endpoint_urls = true` in the profile, turns all four off. The profile is
/// `AWS_PROFILE`, else `default`: the one the chain starts from, whose settings apply to every
/// service the chain calls (a role's STS calls included).
public struct AWSEndpoints: Sendable {
    public let environment: [String: String]
    public let profile: String
    public let config: AWSSharedConfig

    public init(environment: [String: String], config: AWSSharedConfig) {
        self.environment = environment
        self.config = config
        profile = environment["AWS_PROFILE"].flatMap { $0.isEmpty ? nil : $0 } ?? "default"
    }

    /// The configured endpoint of `service`, nil for AWS's own; an invalid value is an error
    /// naming the setting.
    public func url(for service: String) throws(InvalidEndpoint) -> URL? {
        guard let (value, setting) = configured(service) else { return nil }
        guard let url = URL(string: value), url.scheme == "http" || url.scheme == "https", url.host != nil else {
            throw InvalidEndpoint(setting: setting, value: value)
        }
        return url
    }

    /// `url(for:)` for a credential source: an invalid value fails `source`.
    func url(for service: String, source: String) throws(AWSCredentialError) -> URL? {
        do { return try url(for: service) } catch { throw .failed(source: source, reason: error.description) }
    }

    /// An endpoint setting whose value is not an http:// or https:// URL.
    public struct InvalidEndpoint: Error, Sendable, CustomStringConvertible {
        /// Where it is set: `AWS_ENDPOINT_URL_S3`, `endpoint_url of profile 'p'`, ….
        public let setting: String
        public let value: String
        public var description: String { "\(setting) is '\(value)', not an http:// or https:// URL" }
    }

    /// The value set for `service` and where it was set (for messages).
    private func configured(_ service: String) -> (String, String)? {
        let settings = config.profiles[profile] ?? [:]
        if flag(environment["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"]) || flag(settings["ignore_configured_endpoint_urls"]) {
            return nil
        }
        let variable = "AWS_ENDPOINT_URL_" + service.uppercased()
        for name in [variable, "AWS_ENDPOINT_URL"] {
            if let value = environment[name], !value.isEmpty { return (value, name) }
        }
        if let section = settings["services"], let value = config.services[section]?[service.lowercased()]?["endpoint_url"] {
            return (value, "endpoint_url of \(service) in [services \(section)] (profile '\(profile)')")
        }
        if let value = settings["endpoint_url"] { return (value, "endpoint_url of profile '\(profile)'") }
        return nil
    }

    private func flag(_ value: String?) -> Bool { value?.lowercased() == "true" }
}
