import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The IAM Identity Center access token `aws sso login` caches in
/// `~/.aws/sso/cache/<SHA-1 hex>.json` (`accessToken`, `expiresAt`; for an `sso_session`
/// login also `refreshToken`, `clientId`, `clientSecret`, `registrationExpiresAt`), refreshed
/// as the AWS CLI v2 and SDKs refresh it: a token that expires within `refreshWindow` is
/// exchanged at SSO-OIDC `CreateToken` (`POST /token`, grant `refresh_token`, unsigned) for a
/// new one, and the file is rewritten atomically, readable by its owner only, keeping its other
/// fields (a rotated refresh token replaces the old one). A refresh that is refused or cannot
/// reach the service keeps a token that has not expired yet; an expired token that cannot be
/// refreshed (no refresh token, an expired client registration, a refusal) asks for
/// `aws sso login`. Legacy profiles (`sso_start_url` without `sso_session`) are not refreshed,
/// as in the AWS CLI. Secrets (tokens, the client secret) never appear in errors.
struct SSOTokenCache: Sendable {
    /// The cache file.
    let file: String
    /// Where CreateToken is called (`https://oidc.REGION.amazonaws.com` unless configured,
    /// see `AWSEndpoints`); nil when the token is not refreshed (legacy profiles).
    let oidc: URL?
    /// The profile, for the `aws sso login --profile P` advice.
    let profile: String
    let source: String

    /// Tokens are refreshed this long before they expire (the AWS CLI's window).
    static let refreshWindow: TimeInterval = 15 * 60

    /// A usable access token, refreshed first when it expires within `refreshWindow` of `now`.
    func accessToken(now: Date = Date()) throws(AWSCredentialError) -> String {
        let login = "run `aws sso login --profile \(profile)`"
        guard let data = FileManager.default.contents(atPath: file),
              let cached = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
              let token = cached["accessToken"] as? String else {
            throw .failed(source: source, reason: "no cached SSO token in \(file): \(login)")
        }
        guard let expiresAt = (cached["expiresAt"] as? String).flatMap(S3Remote.parseTimestamp),
              expiresAt.timeIntervalSince(now) < Self.refreshWindow else { return token }
        var refusal: String?
        if let oidc {
            switch refresh(cached, at: oidc, now: now) {
            case .success(let fresh): return fresh
            case .failure(let why): refusal = why.reason
            }
        }
        if expiresAt > now { return token }
        throw .failed(source: source, reason: "the cached SSO token expired"
            + (refusal.map { " and cannot be refreshed (\($0))" } ?? "") + ": \(login)")
    }

    /// Why a token was not refreshed (never a secret).
    struct NotRefreshed: Error {
        /// nil when the cache holds no refresh grant at all.
        let reason: String?
    }

    /// CreateToken with the refresh grant of `cached` (the cache file's fields); on success the
    /// file is rewritten with the new token.
    private func refresh(_ cached: [String: Any], at oidc: URL, now: Date) -> Result<String, NotRefreshed> {
        guard let refreshToken = cached["refreshToken"] as? String, let clientID = cached["clientId"] as? String,
              let clientSecret = cached["clientSecret"] as? String else { return .failure(NotRefreshed(reason: nil)) }
        if let registration = (cached["registrationExpiresAt"] as? String).flatMap(S3Remote.parseTimestamp), registration <= now {
            return .failure(NotRefreshed(reason: "its client registration expired"))
        }
        let grant = ["clientId": clientID, "clientSecret": clientSecret, "grantType": "refresh_token", "refreshToken": refreshToken]
        var request = URLRequest(url: oidc.appendingPathComponent("token"))
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        let response: HTTPResponse
        do {
            let body = try JSONSerialization.data(withJSONObject: grant, options: [.sortedKeys])
            response = try HTTPClient(timeout: 30).send(request, body: body)
        } catch {
            return .failure(NotRefreshed(reason: "cannot reach SSO-OIDC at \(oidc.absoluteString): \(error.localizedDescription)"))
        }
        guard response.status == 200 else {
            let type = response.header("x-amzn-errortype").map { String($0.prefix { $0 != ":" }) }
            return .failure(NotRefreshed(reason: "SSO-OIDC CreateToken answered HTTP \(response.status)" + (type.map { " \($0)" } ?? "")))
        }
        guard let answer = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any],
              let accessToken = answer["accessToken"] as? String, let expiresIn = (answer["expiresIn"] as? NSNumber)?.doubleValue else {
            return .failure(NotRefreshed(reason: "SSO-OIDC CreateToken answered without accessToken and expiresIn"))
        }
        var updated = cached
        updated["accessToken"] = accessToken
        updated["expiresAt"] = ISO8601DateFormatter().string(from: now.addingTimeInterval(expiresIn))
        if let rotated = answer["refreshToken"] as? String { updated["refreshToken"] = rotated }
        // Best effort, as the AWS CLI: the new token works for this process even where the cache
        // cannot be written (the next process then asks for `aws sso login`).
        if let bytes = try? JSONSerialization.data(withJSONObject: updated, options: [.sortedKeys]) {
            try? FileIO.writeAtomically(Array(bytes), to: file, temporaryDirectory: (file as NSString).deletingLastPathComponent,
                                        mode: 0o600)
        }
        return .success(accessToken)
    }
}
