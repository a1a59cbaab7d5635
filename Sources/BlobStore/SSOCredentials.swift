import Crypto
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Credentials of an IAM Identity Center (SSO) profile: the access token `aws sso login` cached
/// in `~/.aws/sso/cache/<SHA-1 hex of the sso-session name, or of the start URL for a legacy
/// profile>.json` (`SSOTokenCache`, which refreshes an `sso_session` profile's token),
/// exchanged at the SSO portal's `GET /federation/credentials?account_id=…&role_name=…`
/// (header `x-amz-sso_bearer_token`). Portal: the `sso` endpoint (`AWSEndpoints`), else
/// `https://portal.sso.REGION.amazonaws.com`; token refresh: the `sso_oidc` endpoint, else
/// `https://oidc.REGION.amazonaws.com`.
struct SSOCredentialProvider: AWSCredentialProvider {
    let profile: String
    let token: SSOTokenCache
    let portal: URL
    let accountID: String
    let roleName: String
    var source: String { "profile '\(profile)' (SSO)" }

    /// The provider for an SSO profile's settings; throws when a needed setting is missing.
    init(profile: String, settings: [String: String], config: AWSSharedConfig, environment: [String: String],
         endpoints: AWSEndpoints) throws {
        self.profile = profile
        let source = "profile '\(profile)' (SSO)"
        var session = settings
        let cacheKey: String
        if let name = settings["sso_session"] {
            guard let values = config.ssoSessions[name] else {
                throw AWSCredentialError.failed(source: source, reason: "its sso_session '\(name)' has no "
                    + "[sso-session \(name)] section in \(config.files)")
            }
            session.merge(values) { own, _ in own }
            cacheKey = name
        } else {
            cacheKey = settings["sso_start_url"] ?? ""
        }
        let missing = ["sso_start_url", "sso_region", "sso_account_id", "sso_role_name"].filter { session[$0] == nil }
        guard missing.isEmpty, let region = session["sso_region"], let account = session["sso_account_id"],
              let role = session["sso_role_name"] else {
            throw AWSCredentialError.failed(source: source, reason: "it lacks \(missing.joined(separator: ", ")) "
                + "(run `aws configure sso --profile \(profile)`)")
        }
        let home = environment["HOME"] ?? NSHomeDirectory()
        let digest = Insecure.SHA1.hash(data: Array(cacheKey.utf8)).map { String(format: "%02x", $0) }.joined()
        let oidc = settings["sso_session"] == nil ? nil
            : try endpoints.url(for: "sso_oidc", source: source) ?? URL(string: "https://oidc.\(region).amazonaws.com")!
        token = SSOTokenCache(file: "\(home)/.aws/sso/cache/\(digest).json", oidc: oidc, profile: profile, source: source)
        portal = try endpoints.url(for: "sso", source: source) ?? URL(string: "https://portal.sso.\(region).amazonaws.com")!
        accountID = account
        roleName = role
    }

    func fetch() throws -> AWSCredentials {
        let login = "run `aws sso login --profile \(profile)`"
        let bearer = try token.accessToken()
        var components = URLComponents(url: portal.appendingPathComponent("federation/credentials"),
                                       resolvingAgainstBaseURL: false)!
        components.queryItems = [URLQueryItem(name: "account_id", value: accountID), URLQueryItem(name: "role_name", value: roleName)]
        var request = URLRequest(url: components.url!)
        request.setValue(bearer, forHTTPHeaderField: "x-amz-sso_bearer_token")
        let response: HTTPResponse
        do {
            response = try HTTPClient(timeout: 30).send(request, body: nil)
        } catch {
            throw AWSCredentialError.failed(source: source,
                reason: "cannot reach the SSO portal \(portal.absoluteString): \(error.localizedDescription)")
        }
        guard response.status == 200 else {
            throw AWSCredentialError.failed(source: source, reason: "the SSO portal answered HTTP \(response.status) for "
                + "account \(accountID), role \(roleName)" + ([401, 403].contains(response.status) ? ": \(login)" : ""))
        }
        guard let object = try? JSONSerialization.jsonObject(with: response.body) as? [String: Any],
              let role = object["roleCredentials"] as? [String: Any],
              let key = role["accessKeyId"] as? String, let secret = role["secretAccessKey"] as? String else {
            throw AWSCredentialError.failed(source: source, reason: "the SSO portal answered without roleCredentials")
        }
        let milliseconds = (role["expiration"] as? NSNumber)?.doubleValue
        return AWSCredentials(accessKeyID: key, secretAccessKey: secret, sessionToken: role["sessionToken"] as? String,
                              expiration: milliseconds.map { Date(timeIntervalSince1970: $0 / 1000) })
    }
}
