import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A call to an AWS query-protocol API (STS, IAM): a form-encoded POST of `Action=…&Version=…`
/// to `endpoint`, signed with Signature V4 for `service` when credentials are given, answered
/// with XML.
struct AWSQueryAPI: Sendable {
    let endpoint: URL
    let region: String
    let service: String
    let version: String

    /// The response body of a 200 answer; other statuses throw `.failed(source:…)` with the
    /// error document's code and message.
    func call(_ parameters: [(String, String)], signedWith credentials: AWSCredentials?, source: String) throws -> String {
        let body = Data((parameters + [("Version", version)])
            .map { "\(AWSSigner.encode($0.0, slash: true))=\(AWSSigner.encode($0.1, slash: true))" }
            .joined(separator: "&").utf8)
        var request = URLRequest(url: endpoint)
        request.httpMethod = "POST"
        var headers = ["host": AWSSigner.hostHeader(for: endpoint), "content-type": "application/x-www-form-urlencoded"]
        if let credentials {
            headers = AWSSigner(credentials: credentials, region: region, service: service)
                .sign(method: "POST", path: endpoint.path.isEmpty ? "/" : endpoint.path, query: [], headers: headers,
                      payloadHash: AWSSigner.payloadHash(body), date: Date())
        } else {
            headers.removeValue(forKey: "host")
        }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let response: HTTPResponse
        do {
            response = try HTTPClient(timeout: 30).send(request, body: body)
        } catch {
            throw AWSCredentialError.failed(source: source, reason: "cannot reach \(service.uppercased()) at \(endpoint.absoluteString): "
                + "\(error.localizedDescription) (check the network, or AWS_ENDPOINT_URL_\(service.uppercased()))")
        }
        let text = String(decoding: response.body, as: UTF8.self)
        guard response.status == 200 else {
            let code = XMLText.value("Code", in: text) ?? "HTTP \(response.status)"
            throw AWSCredentialError.failed(source: source, reason: "\(service.uppercased()) \(parameters.first?.1 ?? "") "
                + "refused: \(code): \(XMLText.value("Message", in: text) ?? "")")
        }
        return text
    }
}

/// AWS STS, for the role-assuming sources of the chain, at `endpoint` (the `sts` endpoint
/// `AWSEndpoints` resolves), else the regional `https://sts.REGION.amazonaws.com`.
struct STSClient: Sendable {
    let api: AWSQueryAPI

    init(region: String, endpoint: URL?) {
        api = AWSQueryAPI(endpoint: endpoint ?? URL(string: "https://sts.\(region).amazonaws.com")!,
                          region: region, service: "sts", version: "2011-06-15")
    }

    /// What a role assumption asks for besides the role.
    struct RoleRequest: Sendable {
        var roleARN: String
        var sessionName: String
        var durationSeconds: Int?
        var externalID: String?
    }

    /// `AssumeRole`, signed with `credentials` (the source profile's).
    func assumeRole(_ role: RoleRequest, signedWith credentials: AWSCredentials, source: String) throws -> AWSCredentials {
        var parameters = [("Action", "AssumeRole"), ("RoleArn", role.roleARN), ("RoleSessionName", role.sessionName)]
        if let duration = role.durationSeconds { parameters.append(("DurationSeconds", "\(duration)")) }
        if let externalID = role.externalID { parameters.append(("ExternalId", externalID)) }
        return try Self.credentials(in: try api.call(parameters, signedWith: credentials, source: source), source: source)
    }

    /// `AssumeRoleWithWebIdentity` (unsigned: the token is the proof).
    func assumeRoleWithWebIdentity(_ role: RoleRequest, token: String, source: String) throws -> AWSCredentials {
        var parameters = [("Action", "AssumeRoleWithWebIdentity"), ("RoleArn", role.roleARN),
                          ("RoleSessionName", role.sessionName), ("WebIdentityToken", token)]
        if let duration = role.durationSeconds { parameters.append(("DurationSeconds", "\(duration)")) }
        return try Self.credentials(in: try api.call(parameters, signedWith: nil, source: source), source: source)
    }

    /// The `<Credentials>` element of an STS answer.
    static func credentials(in xml: String, source: String) throws -> AWSCredentials {
        guard let element = XMLText.elements("Credentials", in: xml).first,
              let key = XMLText.value("AccessKeyId", in: element), let secret = XMLText.value("SecretAccessKey", in: element)
        else { throw AWSCredentialError.failed(source: source, reason: "STS answered without credentials") }
        return AWSCredentials(accessKeyID: key, secretAccessKey: secret, sessionToken: XMLText.value("SessionToken", in: element),
                              expiration: XMLText.value("Expiration", in: element).flatMap(S3Remote.parseTimestamp))
    }
}

/// Credentials of a role assumed with a source's credentials (`role_arn` + `source_profile`
/// or `credential_source` in a profile).
struct AssumeRoleProvider: AWSCredentialProvider {
    let base: AWSCredentialCache
    let role: STSClient.RoleRequest
    let sts: STSClient
    let source: String

    func fetch() throws -> AWSCredentials {
        try sts.assumeRole(role, signedWith: try base.fetch(), source: source)
    }
}

/// Credentials of a role assumed with a web identity token read from a file at each fetch
/// (Kubernetes service accounts rotate it).
struct WebIdentityProvider: AWSCredentialProvider {
    let tokenFile: String
    let role: STSClient.RoleRequest
    let sts: STSClient
    let source: String

    func fetch() throws -> AWSCredentials {
        guard let token = try? String(contentsOfFile: tokenFile, encoding: .utf8), !token.isEmpty else {
            throw AWSCredentialError.failed(source: source, reason: "cannot read the web identity token file \(tokenFile)")
        }
        return try sts.assumeRoleWithWebIdentity(role, token: token.trimmingCharacters(in: .whitespacesAndNewlines),
                                                 source: source)
    }
}
