import Foundation

/// The AWS SDKs' default credential chain, read from an environment. The first configured
/// source wins:
/// 1. `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` (/ `AWS_SESSION_TOKEN`);
/// 2. `AWS_WEB_IDENTITY_TOKEN_FILE` + `AWS_ROLE_ARN` (+ `AWS_ROLE_SESSION_NAME`): STS
///    AssumeRoleWithWebIdentity;
/// 3. the profile `AWS_PROFILE` (default `default`) of the shared config and credentials files
///    (`AWSSharedConfig`): `role_arn` with `source_profile` (chains of profiles), with
///    `credential_source`, or with `web_identity_token_file`; SSO (`SSOCredentialProvider`);
///    static keys; `credential_process`. A named profile that does not exist is an error; a role
///    that needs MFA is refused with what to do instead;
/// 4. container credentials (`AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` / `_FULL_URI`);
/// 5. EC2 instance metadata (IMDSv2), unless `AWS_EC2_METADATA_DISABLED=true`.
/// Choosing a source reads files only; the network (STS, metadata) is used when the provider
/// fetches. STS and SSO are called at the endpoints `AWSEndpoints` resolves (`AWS_ENDPOINT_URL_STS`,
/// a profile's `endpoint_url` or its `services` section…), else AWS's regional ones; STS's region
/// is the profile's `region`, `AWS_REGION`, `AWS_DEFAULT_REGION` or `us-east-1`.
public struct AWSCredentialChain: Sendable {
    public let environment: [String: String]

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }

    /// The first configured source's provider. Throws `.failed` for a source configured in a
    /// way that cannot work, `.notFound` when nothing is configured and instance metadata is off.
    public func provider() throws -> any AWSCredentialProvider {
        if let credentials = try environmentKeys() { return credentials }
        let config = AWSSharedConfig.load(environment)
        if let tokenFile = value("AWS_WEB_IDENTITY_TOKEN_FILE") {
            let source = "web identity (AWS_WEB_IDENTITY_TOKEN_FILE \(tokenFile))"
            guard let roleARN = value("AWS_ROLE_ARN") else {
                throw AWSCredentialError.failed(source: source, reason: "AWS_ROLE_ARN is not set; set it to the role to assume")
            }
            return WebIdentityProvider(tokenFile: tokenFile,
                                       role: .init(roleARN: roleARN, sessionName: value("AWS_ROLE_SESSION_NAME") ?? Self.sessionName()),
                                       sts: try sts(region: region(nil), config: config, source: source), source: source)
        }
        let profile = value("AWS_PROFILE") ?? "default"
        if config.profiles[profile] != nil {
            return try profileProvider(profile, in: config, visited: [])
        } else if value("AWS_PROFILE") != nil {
            throw AWSCredentialError.failed(source: "profile '\(profile)' (AWS_PROFILE)",
                reason: "no such profile in \(config.files); add it (`aws configure --profile \(profile)`) or unset AWS_PROFILE")
        }
        if let container = try ContainerCredentialProvider(environment: environment) { return container }
        guard !InstanceMetadataProvider.disabled(environment) else { throw AWSCredentialError.notFound }
        return InstanceMetadataProvider(environment: environment, lastResort: true)
    }

    /// A non-empty environment variable.
    private func value(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }

    private func environmentKeys() throws -> AWSCredentials? {
        switch (value("AWS_ACCESS_KEY_ID"), value("AWS_SECRET_ACCESS_KEY")) {
        case (let key?, let secret?): return AWSCredentials(accessKeyID: key, secretAccessKey: secret,
                                                            sessionToken: value("AWS_SESSION_TOKEN"))
        case (nil, nil): return nil
        case (_, nil): throw AWSCredentialError.failed(source: "environment",
                                                       reason: "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not")
        case (nil, _): throw AWSCredentialError.failed(source: "environment",
                                                       reason: "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not")
        }
    }

    private func region(_ settings: [String: String]?) -> String {
        settings?["region"] ?? value("AWS_REGION") ?? value("AWS_DEFAULT_REGION") ?? "us-east-1"
    }

    /// STS in `region` at its configured endpoint (`AWSEndpoints`), for `source`.
    private func sts(region: String, config: AWSSharedConfig, source: String) throws(AWSCredentialError) -> STSClient {
        STSClient(region: region, endpoint: try AWSEndpoints(environment: environment, config: config).url(for: "sts", source: source))
    }

    /// A role session name for roles assumed without `role_session_name`.
    static func sessionName() -> String { "gitml-\(Int(Date().timeIntervalSince1970))" }

    /// The provider of profile `name`; `visited` are the profiles whose `source_profile` led here.
    private func profileProvider(_ name: String, in config: AWSSharedConfig, visited: [String]) throws
        -> any AWSCredentialProvider {
        let source = "profile '\(name)'"
        guard let settings = config.profiles[name] else {
            throw AWSCredentialError.failed(source: "profile '\(visited.last ?? name)'",
                                            reason: "its source_profile '\(name)' is not in \(config.files)")
        }
        if let roleARN = settings["role_arn"] {
            return try roleProvider(name, roleARN: roleARN, settings: settings, in: config, visited: visited)
        }
        if settings["sso_session"] != nil || settings["sso_start_url"] != nil {
            return try SSOCredentialProvider(profile: name, settings: settings, config: config, environment: environment,
                                             endpoints: AWSEndpoints(environment: environment, config: config))
        }
        if let keys = try staticKeys(settings, source: source) { return keys }
        if let command = settings["credential_process"] {
            return CredentialProcessProvider(command: command, environment: environment, source: source + " (credential_process)")
        }
        throw AWSCredentialError.failed(source: source, reason: "it has no credentials (aws_access_key_id and "
            + "aws_secret_access_key, role_arn, credential_process or web_identity_token_file) in \(config.files)")
    }

    private func staticKeys(_ settings: [String: String], source: String) throws -> AWSCredentials? {
        switch (settings["aws_access_key_id"], settings["aws_secret_access_key"]) {
        case (let key?, let secret?): return AWSCredentials(accessKeyID: key, secretAccessKey: secret,
                                                            sessionToken: settings["aws_session_token"])
        case (nil, nil): return nil
        default: throw AWSCredentialError.failed(source: source,
                                                 reason: "it sets only one of aws_access_key_id and aws_secret_access_key")
        }
    }

    /// A profile with `role_arn`: assumed with its `source_profile`'s credentials (its own static
    /// keys when it names itself), its `credential_source`, or its `web_identity_token_file`.
    private func roleProvider(_ name: String, roleARN: String, settings: [String: String], in config: AWSSharedConfig,
                              visited: [String]) throws -> any AWSCredentialProvider {
        let source = "profile '\(name)' (role_arn \(roleARN))"
        if settings["mfa_serial"] != nil {
            throw AWSCredentialError.failed(source: source, reason: "the role needs an MFA code, which git-ml cannot ask for: "
                + "export temporary credentials (`eval \"$(aws configure export-credentials --profile \(name) --format env)\"`)")
        }
        var duration: Int?
        if let text = settings["duration_seconds"] {
            guard let seconds = Int(text), seconds > 0 else {
                throw AWSCredentialError.failed(source: source, reason: "duration_seconds '\(text)' is not a number of seconds")
            }
            duration = seconds
        }
        let role = STSClient.RoleRequest(roleARN: roleARN, sessionName: settings["role_session_name"] ?? Self.sessionName(),
                                         durationSeconds: duration, externalID: settings["external_id"])
        let sts = try sts(region: region(settings), config: config, source: source)
        let base: any AWSCredentialProvider
        if let sourceProfile = settings["source_profile"] {
            if sourceProfile == name {
                guard let keys = try staticKeys(settings, source: source) else {
                    throw AWSCredentialError.failed(source: source,
                        reason: "it is its own source_profile but has no aws_access_key_id and aws_secret_access_key")
                }
                base = keys
            } else if visited.contains(sourceProfile) {
                throw AWSCredentialError.failed(source: source, reason: "source_profile forms a cycle: "
                    + (visited + [name, sourceProfile]).joined(separator: " → "))
            } else {
                base = try profileProvider(sourceProfile, in: config, visited: visited + [name])
            }
        } else if let credentialSource = settings["credential_source"] {
            base = try namedSource(credentialSource, profile: source)
        } else if let tokenFile = settings["web_identity_token_file"] {
            return WebIdentityProvider(tokenFile: tokenFile, role: role, sts: sts, source: source + " (web_identity_token_file)")
        } else {
            throw AWSCredentialError.failed(source: source,
                reason: "role_arn needs source_profile, credential_source or web_identity_token_file beside it")
        }
        return AssumeRoleProvider(base: AWSCredentialCache(base), role: role, sts: sts, source: source)
    }

    /// A profile's `credential_source`: `Environment`, `Ec2InstanceMetadata` or `EcsContainer`.
    private func namedSource(_ name: String, profile source: String) throws -> any AWSCredentialProvider {
        switch name {
        case "Environment":
            guard let keys = try environmentKeys() else {
                throw AWSCredentialError.failed(source: source,
                                                reason: "credential_source Environment, but AWS_ACCESS_KEY_ID is not set")
            }
            return keys
        case "Ec2InstanceMetadata":
            return InstanceMetadataProvider(environment: environment, lastResort: false)
        case "EcsContainer":
            guard let container = try ContainerCredentialProvider(environment: environment) else {
                throw AWSCredentialError.failed(source: source, reason: "credential_source EcsContainer, but neither "
                    + "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI nor AWS_CONTAINER_CREDENTIALS_FULL_URI is set")
            }
            return container
        default:
            throw AWSCredentialError.failed(source: source, reason: "credential_source '\(name)' is not one of "
                + "Environment, Ec2InstanceMetadata, EcsContainer")
        }
    }
}
