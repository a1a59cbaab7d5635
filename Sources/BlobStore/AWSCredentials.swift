import Foundation

/// AWS credentials: an access key, its secret and, for temporary credentials, a session token
/// and the time they expire. `description` never shows the secret or the token.
public struct AWSCredentials: Sendable, Equatable, CustomStringConvertible {
    public let accessKeyID: String
    public let secretAccessKey: String
    public let sessionToken: String?
    /// When temporary credentials stop working; nil for long-term keys.
    public let expiration: Date?

    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil, expiration: Date? = nil) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.expiration = expiration
    }

    public var description: String { "AWSCredentials(\(accessKeyID), secret hidden)" }
}

/// A source of AWS credentials: static keys, an STS role, a process, a metadata endpoint.
/// `fetch` asks the source anew (a network call or a process for most); callers keep the
/// result in an `AWSCredentialCache`. Errors are `AWSCredentialError`.
public protocol AWSCredentialProvider: Sendable {
    /// Where the credentials come from, for error messages (never a secret).
    var source: String { get }
    func fetch() throws -> AWSCredentials
}

/// Static credentials provide themselves.
extension AWSCredentials: AWSCredentialProvider {
    public var source: String { "static credentials" }
    public func fetch() -> AWSCredentials { self }
}

/// Why no credentials came out of the chain, or out of the source it chose.
public enum AWSCredentialError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No source is configured (and EC2 instance metadata is disabled or did not answer).
    case notFound
    /// `source` is configured but failed; `reason` says why and what to do (never a secret).
    case failed(source: String, reason: String)

    public var description: String {
        switch self {
        case .notFound:
            return "no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN "
                + "for temporary ones), AWS_WEB_IDENTITY_TOKEN_FILE with AWS_ROLE_ARN, or AWS_PROFILE naming a profile "
                + "in ~/.aws/config or ~/.aws/credentials (static keys, role_arn with source_profile, "
                + "credential_process, web_identity_token_file); in a container or on EC2 the task role "
                + "(AWS_CONTAINER_CREDENTIALS_RELATIVE_URI / _FULL_URI) or the instance profile (IMDSv2) is used"
        case .failed(let source, let reason):
            return "AWS credentials from \(source) failed: \(reason)"
        }
    }
}

/// Credentials from a provider, fetched once and fetched again shortly before they expire, so
/// a long push keeps signing with valid ones. Safe to share between transfer threads: one
/// thread refreshes while the others wait for its result.
public final class AWSCredentialCache: AWSCredentialProvider, @unchecked Sendable {  // `cached` guarded by `lock`
    /// Credentials are fetched again this long before their expiration.
    public static let refreshMargin: TimeInterval = 5 * 60

    public let provider: any AWSCredentialProvider
    private let lock = NSLock()
    private var cached: AWSCredentials?

    public init(_ provider: any AWSCredentialProvider) { self.provider = provider }

    public var source: String { provider.source }

    /// The cached credentials, fetched anew when none are cached or they expire within
    /// `refreshMargin` of `now`. A failed refresh keeps credentials that have not expired yet.
    public func fetch() throws -> AWSCredentials { try current(at: Date()) }

    func current(at now: Date) throws -> AWSCredentials {
        try lock.withLock {
            if let cached, cached.expiration.map({ $0.timeIntervalSince(now) > Self.refreshMargin }) ?? true {
                return cached
            }
            do {
                let fresh = try provider.fetch()
                cached = fresh
                return fresh
            } catch {
                if let cached, let expiration = cached.expiration, expiration > now { return cached }
                throw error
            }
        }
    }
}
