import Foundation

/// How to reach a declared remote: its URL and options from `ml/config.yaml` (never secrets).
public struct RemoteSpec: Sendable, Equatable {
    public var name: String
    /// `file:///path`, a plain path, or `s3://bucket/prefix`.
    public var url: String
    /// For S3: a custom endpoint such as `http://127.0.0.1:9000` (MinIO, a local server); when
    /// nil, the `s3` endpoint of the AWS configuration (`AWSEndpoints`: `AWS_ENDPOINT_URL_S3`,
    /// the profile's `endpoint_url`…), else AWS's.
    public var endpoint: String?
    /// For S3: the signing region (default `AWS_REGION`, else `us-east-1`).
    public var region: String?
    /// For S3: force path-style (`true`) or virtual-hosted (`false`) addressing.
    public var pathStyle: Bool?

    public init(name: String, url: String, endpoint: String? = nil, region: String? = nil, pathStyle: Bool? = nil) {
        self.name = name
        self.url = url
        self.endpoint = endpoint
        self.region = region
        self.pathStyle = pathStyle
    }

    /// The backend for this remote; S3 credentials come from the AWS chain read from
    /// `environment` (`AWSCredentialChain`), fetched once here so a missing or broken source is
    /// reported before any transfer. A relative plain path is taken from `workingDirectory`.
    public func open(environment: [String: String] = ProcessInfo.processInfo.environment,
                     workingDirectory: String = FileManager.default.currentDirectoryPath) throws -> any RemoteBackend {
        if url.hasPrefix("s3://") {
            let rest = url.dropFirst("s3://".count)
            let bucket = String(rest.prefix { $0 != "/" })
            let prefix = String(rest.dropFirst(bucket.count).drop { $0 == "/" })
            var endpointURL: URL?
            if let endpoint {
                guard let parsed = URL(string: endpoint), parsed.scheme == "http" || parsed.scheme == "https",
                      parsed.host != nil else {
                    throw RemoteError.invalidURL(endpoint, reason: "the endpoint must be an http:// or https:// URL")
                }
                endpointURL = parsed
            } else {
                do {
                    endpointURL = try AWSEndpoints(environment: environment, config: .load(environment)).url(for: "s3")
                } catch {
                    throw RemoteError.invalidURL(error.value, reason: "\(error.setting) must be an http:// or https:// URL")
                }
            }
            return try S3Remote(name: name, bucket: bucket, prefix: prefix, endpoint: endpointURL,
                                region: region ?? environment["AWS_REGION"] ?? environment["AWS_DEFAULT_REGION"] ?? "us-east-1",
                                addressing: pathStyle.map { $0 ? .path : .virtualHosted },
                                credentials: try Self.credentials(remote: name, environment: environment))
        }
        if url.hasPrefix("file://") {
            guard let parsed = URL(string: url), parsed.host == nil || parsed.host == "" || parsed.host == "localhost" else {
                throw RemoteError.invalidURL(url, reason: "a file URL must name a local path (file:///path)")
            }
            return try DirectoryRemote(name: name, root: parsed.path)
        }
        guard !url.contains("://") else { throw RemoteError.invalidURL(url, reason: "unknown scheme") }
        let root = url.hasPrefix("/") ? url : workingDirectory + "/" + url
        return try DirectoryRemote(name: name, root: (root as NSString).standardizingPath)
    }

    private static func credentials(remote: String, environment: [String: String]) throws -> AWSCredentialCache {
        do {
            let cache = AWSCredentialCache(try AWSCredentialChain(environment: environment).provider())
            _ = try cache.fetch()
            return cache
        } catch let error as AWSCredentialError {
            throw RemoteError(error, remote: remote)
        }
    }
}
