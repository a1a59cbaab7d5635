import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

extension AWSCredentials {
    /// Credentials in the JSON the container endpoint, instance metadata and
    /// `credential_process` answer with: `AccessKeyId`, `SecretAccessKey`, `Token` or
    /// `SessionToken`, `Expiration` (RFC 3339). nil when the keys are missing or it is not JSON.
    static func fromJSON(_ data: Data) -> AWSCredentials? {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let key = object["AccessKeyId"] as? String, let secret = object["SecretAccessKey"] as? String,
              !key.isEmpty, !secret.isEmpty else { return nil }
        let token = (object["Token"] as? String) ?? (object["SessionToken"] as? String)
        return AWSCredentials(accessKeyID: key, secretAccessKey: secret, sessionToken: token.flatMap { $0.isEmpty ? nil : $0 },
                              expiration: (object["Expiration"] as? String).flatMap(S3Remote.parseTimestamp))
    }
}

/// Container credentials (ECS task roles, EKS Pod Identity): a GET of
/// `http://169.254.170.2` + `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`, or of
/// `AWS_CONTAINER_CREDENTIALS_FULL_URI` (https, or http to a loopback or the ECS/EKS agent's
/// address) with the `Authorization` header read from `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`
/// at each fetch (it rotates), else `AWS_CONTAINER_AUTHORIZATION_TOKEN`.
struct ContainerCredentialProvider: AWSCredentialProvider {
    let url: URL
    let tokenFile: String?
    let token: String?
    var source: String { "container credentials (\(url.absoluteString))" }

    /// The provider the environment configures, nil when neither URI variable is set.
    init?(environment: [String: String]) throws {
        tokenFile = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"].flatMap { $0.isEmpty ? nil : $0 }
        token = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        if let relative = environment["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"], !relative.isEmpty {
            guard let parsed = URL(string: "http://169.254.170.2" + (relative.hasPrefix("/") ? "" : "/") + relative) else {
                throw AWSCredentialError.failed(source: "container credentials",
                                                reason: "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI is not a URL path")
            }
            url = parsed
        } else if let full = environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"], !full.isEmpty {
            guard let parsed = URL(string: full), let host = parsed.host,
                  parsed.scheme == "https" || (parsed.scheme == "http" && Self.allowedHTTPHosts(host)) else {
                throw AWSCredentialError.failed(source: "container credentials (\(full))",
                    reason: "AWS_CONTAINER_CREDENTIALS_FULL_URI must be https, or http to a loopback address, "
                        + "169.254.170.2 or 169.254.170.23")
            }
            url = parsed
        } else {
            return nil
        }
    }

    /// Hosts plain HTTP may reach: loopback, and the ECS and EKS agents' link-local addresses.
    static func allowedHTTPHosts(_ host: String) -> Bool {
        let bare = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")).lowercased()
        return bare == "localhost" || bare.hasPrefix("127.") || bare == "::1" || bare == "169.254.170.2"
            || bare == "169.254.170.23" || bare == "fd00:ec2::23"
    }

    func fetch() throws -> AWSCredentials {
        var request = URLRequest(url: url)
        if let tokenFile {
            guard let value = try? String(contentsOfFile: tokenFile, encoding: .utf8) else {
                throw AWSCredentialError.failed(source: source,
                    reason: "cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE \(tokenFile)")
            }
            request.setValue(value.trimmingCharacters(in: .whitespacesAndNewlines), forHTTPHeaderField: "Authorization")
        } else if let token {
            request.setValue(token, forHTTPHeaderField: "Authorization")
        }
        let response: HTTPResponse
        do {
            response = try HTTPClient(timeout: 5).send(request, body: nil)
        } catch {
            throw AWSCredentialError.failed(source: source, reason: "no answer: \(error.localizedDescription)")
        }
        guard response.status == 200, let credentials = AWSCredentials.fromJSON(response.body) else {
            throw AWSCredentialError.failed(source: source, reason: response.status == 200
                ? "the answer holds no AccessKeyId and SecretAccessKey"
                : "HTTP \(response.status) (check the task role, or the authorization token)")
        }
        return credentials
    }
}

/// EC2 instance profile credentials over IMDSv2: a session token from `PUT /latest/api/token`,
/// then the role name from `GET /latest/meta-data/iam/security-credentials/`, then its
/// credentials, each GET carrying the token. Endpoint `AWS_EC2_METADATA_SERVICE_ENDPOINT`
/// (default `http://169.254.169.254`); one-second timeouts, one try. As the chain's last
/// resort (`lastResort`), an endpoint that does not answer means no credentials
/// (`.notFound`) rather than a failure.
struct InstanceMetadataProvider: AWSCredentialProvider {
    static let defaultEndpoint = "http://169.254.169.254"
    let endpoint: String
    let lastResort: Bool
    var source: String { "EC2 instance metadata (\(endpoint))" }

    init(environment: [String: String], lastResort: Bool) {
        let configured = environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"].flatMap { $0.isEmpty ? nil : $0 }
        endpoint = String((configured ?? Self.defaultEndpoint).reversed().drop { $0 == "/" }.reversed())
        self.lastResort = lastResort
    }

    /// Whether the environment turns instance metadata off (`AWS_EC2_METADATA_DISABLED=true`).
    static func disabled(_ environment: [String: String]) -> Bool {
        environment["AWS_EC2_METADATA_DISABLED"]?.lowercased() == "true"
    }

    func fetch() throws -> AWSCredentials {
        let client = HTTPClient(timeout: 1)
        let token: String
        do {
            let response = try send(client, "PUT", "/latest/api/token", ["X-aws-ec2-metadata-token-ttl-seconds": "21600"])
            guard response.status == 200 else {
                throw AWSCredentialError.failed(source: source, reason: "the IMDSv2 token request got HTTP \(response.status)")
            }
            token = String(decoding: response.body, as: UTF8.self)
        } catch let error as AWSCredentialError {
            throw error
        } catch {
            if lastResort { throw AWSCredentialError.notFound }
            throw AWSCredentialError.failed(source: source, reason: "no answer within 1 s: \(error.localizedDescription)")
        }
        let path = "/latest/meta-data/iam/security-credentials/"
        let roles = try get(client, path, token: token)
        guard roles.status == 200, let role = String(decoding: roles.body, as: UTF8.self)
            .split(whereSeparator: \.isNewline).first.map(String.init), !role.isEmpty else {
            throw AWSCredentialError.failed(source: source, reason: roles.status == 404
                ? "the instance has no IAM role (attach an instance profile)" : "listing roles got HTTP \(roles.status)")
        }
        let answer = try get(client, path + role, token: token)
        guard answer.status == 200, let credentials = AWSCredentials.fromJSON(answer.body) else {
            throw AWSCredentialError.failed(source: source, reason: "role \(role): " + (answer.status == 200
                ? "the answer holds no AccessKeyId and SecretAccessKey" : "HTTP \(answer.status)"))
        }
        return credentials
    }

    private func get(_ client: HTTPClient, _ path: String, token: String) throws -> HTTPResponse {
        do {
            return try send(client, "GET", path, ["X-aws-ec2-metadata-token": token])
        } catch {
            throw AWSCredentialError.failed(source: source, reason: "GET \(path): \(error.localizedDescription)")
        }
    }

    private func send(_ client: HTTPClient, _ method: String, _ path: String, _ headers: [String: String]) throws
        -> HTTPResponse {
        guard let url = URL(string: endpoint + path) else {
            throw AWSCredentialError.failed(source: source, reason: "AWS_EC2_METADATA_SERVICE_ENDPOINT is not a URL")
        }
        var request = URLRequest(url: url)
        request.httpMethod = method
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        return try client.send(request, body: method == "PUT" ? Data() : nil)
    }
}
