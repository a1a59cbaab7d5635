import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Platform

/// A remote in an S3-compatible object store (AWS S3, MinIO, Ceph RGW, R2, GCS interop), over
/// the S3 REST protocol with Signature V4. Key `k` is the object `<prefix>k` in `bucket`.
/// Objects above `multipartThreshold` go up as multipart uploads (parts in parallel, resumed
/// after an interruption: see `multipartUpload`); every request is retried with exponential
/// backoff on 5xx, throttling and connection errors, and a server that sends nothing for
/// `requestTimeout` (frozen, overloaded, a dead link) fails the attempt: no new attempt starts
/// once `retryWindow` has passed, so a frozen server costs about a minute and a half, not hours.
public struct S3Remote: RemoteBackend {
    /// How the bucket is named in a request.
    public enum Addressing: String, Sendable {
        /// `https://endpoint/bucket/key` (MinIO, Ceph, local servers).
        case path
        /// `https://bucket.endpoint/key` (AWS's default).
        case virtualHosted
    }

    public let name: String
    public let bucket: String
    /// Prepended to every key: empty, or ending in `/`.
    public let prefix: String
    public let endpoint: URL
    public let region: String
    public let addressing: Addressing
    /// Objects larger than this are uploaded in parts.
    public var multipartThreshold = 16 << 20
    /// The size of each part but the last (S3 wants at least 5 MiB).
    public var partSize = 8 << 20
    /// Parts of one upload sent at once.
    public var parallelParts = 4
    /// Tries per request before giving up.
    public var maxAttempts = 5
    /// The first retry's delay; each next one doubles.
    public var initialBackoff: TimeInterval = 0.2
    /// Seconds an attempt may wait for the server's next bytes (connect, request and response).
    public var requestTimeout: TimeInterval = 30
    /// Seconds after a request's first attempt began within which a failed attempt is retried.
    public var retryWindow: TimeInterval = 90

    private let credentials: AWSCredentialCache
    private let client: HTTPClient
    /// Set once the server accepted a signed request of this remote: the credentials are right,
    /// so a later `SignatureDoesNotMatch` means the request was damaged on the way.
    private let signaturesAccepted = Flag()

    /// A remote for `bucket` under `prefix` at `endpoint` (default: AWS's regional endpoint,
    /// virtual-hosted; a custom endpoint defaults to path-style), signing with `credentials`
    /// (asked before each request, so temporary ones are refreshed before they expire). Throws
    /// `.missingCredentials` when `credentials` is nil.
    public init(name: String, bucket: String, prefix: String = "", endpoint: URL? = nil, region: String = "us-east-1",
                addressing: Addressing? = nil, credentials: (any AWSCredentialProvider)?) throws {
        guard let credentials else { throw RemoteError.missingCredentials(remote: name) }
        guard !bucket.isEmpty else { throw RemoteError.invalidURL("s3://", reason: "no bucket name") }
        self.name = name
        self.bucket = bucket
        self.prefix = prefix.isEmpty || prefix.hasSuffix("/") ? prefix : prefix + "/"
        self.endpoint = endpoint ?? URL(string: "https://s3.\(region).amazonaws.com")!
        self.region = region
        self.addressing = addressing ?? (endpoint == nil ? .virtualHosted : .path)
        self.credentials = credentials as? AWSCredentialCache ?? AWSCredentialCache(credentials)
        client = HTTPClient()
    }

    /// An S3 timestamp such as `LastModified` (ISO 8601, with or without fractional seconds).
    static func parseTimestamp(_ text: String) -> Date? {
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return fractional.date(from: text) ?? ISO8601DateFormatter().date(from: text)
    }

    // MARK: RemoteBackend

    public func list(prefix keyPrefix: String) throws -> [RemoteObjectInfo] {
        var found: [RemoteObjectInfo] = []
        var token: String?
        repeat {
            var query = [("list-type", "2"), ("prefix", prefix + keyPrefix)]
            if let token { query.append(("continuation-token", token)) }
            let response = try request("GET", key: nil, query: query, expect: [200])
            let xml = String(decoding: response.body, as: UTF8.self)
            for contents in XMLText.elements("Contents", in: xml) {
                guard let key = XMLText.value("Key", in: contents), key.hasPrefix(prefix) else { continue }
                found.append(RemoteObjectInfo(key: String(key.dropFirst(prefix.count)),
                                              size: UInt64(XMLText.value("Size", in: contents) ?? "") ?? 0,
                                              modified: XMLText.value("LastModified", in: contents).flatMap(Self.parseTimestamp)))
            }
            token = XMLText.value("IsTruncated", in: xml) == "true" ? XMLText.value("NextContinuationToken", in: xml) : nil
        } while token != nil
        return found
    }

    public func stat(_ key: String) throws -> RemoteObjectInfo? {
        let response = try request("HEAD", key: key, expect: [200, 404])
        guard response.status == 200 else { return nil }
        return RemoteObjectInfo(key: key, size: UInt64(response.header("content-length") ?? "") ?? 0)
    }

    public func get(_ key: String, range: Range<UInt64>?) throws -> [UInt8] {
        if let range, range.isEmpty { return [] }
        let headers = range.map { ["range": "bytes=\($0.lowerBound)-\($0.upperBound - 1)"] } ?? [:]
        let response = try request("GET", key: key, headers: headers, expect: range == nil ? [200] : [200, 206])
        if let range, response.status == 200 {  // a server that ignores Range sends everything
            guard UInt64(response.body.count) >= range.upperBound else {
                throw RemoteError.corruptObject(remote: name, key: key, detail: "shorter than the requested range")
            }
            return Array(response.body[Int(range.lowerBound)..<Int(range.upperBound)])
        }
        return Array(response.body)
    }

    public func put(_ key: String, bytes: [UInt8]) throws {
        if bytes.count <= multipartThreshold {
            _ = try request("PUT", key: key, body: Data(bytes), expect: [200])
        } else {
            _ = try multipartUpload(key, size: bytes.count) { range in Data(bytes[range]) }
        }
    }

    public func put(_ key: String, file path: String) throws {
        let fd: Int32
        do { fd = try FileIO.openForReading(path) } catch { throw RemoteError.io(remote: name, key: key, message: "\(error)") }
        defer { close(fd) }
        var info = Glibc.stat()
        guard fstat(fd, &info) == 0 else { throw RemoteError.io(remote: name, key: key, message: "cannot stat \(path)") }
        let size = Int(info.st_size)
        let readPart = { @Sendable (range: Range<Int>) throws -> Data in
            var part = Data(count: range.count)
            do {
                try part.withUnsafeMutableBytes { try FileIO.read(fd, into: $0, at: range.lowerBound, path: path) }
            } catch {
                throw RemoteError.io(remote: name, key: key, message: "\(error)")
            }
            return part
        }
        if size <= multipartThreshold {
            _ = try request("PUT", key: key, body: try readPart(0..<size), expect: [200])
        } else {
            _ = try multipartUpload(key, size: size, readPart)
        }
    }

    public func delete(_ key: String) throws {
        _ = try request("DELETE", key: key, expect: [200, 204, 404])
    }

    /// A conditional PUT (`If-None-Match: *`), which S3 and most compatible stores honour;
    /// 412 means the key exists.
    public func createExclusively(_ key: String, bytes: [UInt8]) throws -> Bool {
        let response = try request("PUT", key: key, headers: ["if-none-match": "*"], body: Data(bytes), expect: [200, 409, 412])
        return response.status == 200
    }

    /// Creates the bucket (setup and tests); one these credentials already own is fine.
    public func createBucket() throws {
        let body = region == "us-east-1" ? nil : Data(
            "<CreateBucketConfiguration><LocationConstraint>\(region)</LocationConstraint></CreateBucketConfiguration>".utf8)
        let response = try request("PUT", key: nil, body: body, expect: [200, 409])
        let code = XMLText.value("Code", in: String(decoding: response.body, as: UTF8.self)) ?? ""
        if response.status == 409 && code != "BucketAlreadyOwnedByYou" {
            throw RemoteError.http(remote: name, key: bucket, status: 409, code: code, message: "the bucket name is taken")
        }
    }

    // MARK: Requests

    /// Sends one signed request, retrying transient failures; throws unless the status is in
    /// `expect`.
    func request(_ method: String, key: String?, query: [(String, String)] = [], headers: [String: String] = [:],
                         body: Data? = nil, expect: Set<Int>) throws -> HTTPResponse {
        let (url, host, path) = location(key)
        let canonicalQuery = query.map { (AWSSigner.encode($0.0, slash: true), AWSSigner.encode($0.1, slash: true)) }
            .sorted { $0 < $1 }.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
        let payloadHash = AWSSigner.payloadHash(body ?? Data())
        var attempt = 0
        let started = Date()
        while true {
            attempt += 1
            var signedHeaders = headers
            signedHeaders["host"] = host
            let signer: AWSSigner
            do {
                signer = AWSSigner(credentials: try credentials.fetch(), region: region)
            } catch let error as AWSCredentialError {
                throw RemoteError(error, remote: name)
            }
            let signed = signer.sign(method: method, path: path, query: query, headers: signedHeaders,
                                     payloadHash: payloadHash, date: Date())
            var request = URLRequest(url: URL(string: url + (canonicalQuery.isEmpty ? "" : "?" + canonicalQuery))!)
            request.httpMethod = method
            request.timeoutInterval = requestTimeout
            for (field, value) in signed { request.setValue(value, forHTTPHeaderField: field) }
            let response: HTTPResponse
            do {
                response = try client.send(request, body: body)
            } catch {
                let elapsed = Date().timeIntervalSince(started)
                client.discardConnections()
                if attempt < maxAttempts && elapsed + requestTimeout <= retryWindow { backoff(attempt); continue }
                let cause = (error as? URLError)?.code == .timedOut
                    ? "no answer within \(Int(requestTimeout)) s (is the server frozen or overloaded?)" : error.localizedDescription
                throw RemoteError.connection(remote: name, detail: "\(method) \(url): \(cause); gave up after \(attempt) "
                                                 + "attempt\(attempt == 1 ? "" : "s") in \(Int(elapsed.rounded())) s")
            }
            if expect.contains(response.status) {
                signaturesAccepted.set()
                return response
            }
            let xml = String(decoding: response.body, as: UTF8.self)
            let code = XMLText.value("Code", in: xml) ?? "HTTP\(response.status)"
            let message = XMLText.value("Message", in: xml) ?? ""
            // With credentials the server already accepted, a signature that does not match
            // means the request reached it damaged (the bytes of an abandoned request ahead of
            // it on a reused connection): sent again, freshly signed, over a new connection.
            let damaged = code == "SignatureDoesNotMatch" && signaturesAccepted.isSet
            if damaged { client.discardConnections() }
            let transient = damaged || response.status >= 500 || response.status == 429
                || ["SlowDown", "RequestTimeout", "Throttling", "ThrottlingException"].contains(code)
            if transient && attempt < maxAttempts && Date().timeIntervalSince(started) <= retryWindow { backoff(attempt); continue }
            let objectKey = key ?? prefix
            switch (response.status, code) {
            case (404, "NoSuchBucket"): throw RemoteError.bucketMissing(remote: name, bucket: bucket, endpoint: endpoint.absoluteString)
            case (404, _): throw RemoteError.notFound(remote: name, key: objectKey)
            case (403, _), (400, "InvalidAccessKeyId"), (400, "AuthorizationHeaderMalformed"), (400, "ExpiredToken"):
                throw RemoteError.accessDenied(remote: name, code: code, message: message)
            default:
                throw RemoteError.http(remote: name, key: objectKey, status: response.status, code: code, message: message)
            }
        }
    }

    /// Sleeps 2^(attempt-1) × `initialBackoff`, ±25 % jitter so parallel retries spread out.
    private func backoff(_ attempt: Int) {
        let delay = initialBackoff * Double(1 << min(attempt - 1, 8)) * Double.random(in: 0.75...1.25)
        Thread.sleep(forTimeInterval: delay)
    }

    /// The URL (without query), the `host` header value and the encoded path to sign for `key`
    /// (nil: the bucket itself).
    func location(_ key: String?) -> (url: String, host: String, path: String) {
        let scheme = endpoint.scheme ?? "https"
        let baseHost = AWSSigner.hostHeader(for: endpoint)
        let objectPath = key.map { AWSSigner.encode(prefix + $0, slash: false) }
        let host: String
        let path: String
        switch addressing {
        case .path:
            host = baseHost
            path = "/" + AWSSigner.encode(bucket, slash: true) + (objectPath.map { "/" + $0 } ?? "")
        case .virtualHosted:
            host = bucket + "." + baseHost
            path = "/" + (objectPath ?? "")
        }
        return ("\(scheme)://\(host)\(path)", host, path)
    }
}

/// A flag any thread may set once and read.
final class Flag: @unchecked Sendable {  // `value` is only touched under `lock`
    private let lock = NSLock()
    private var value = false
    func set() { lock.withLock { value = true } }
    var isSet: Bool { lock.withLock { value } }
}

/// Just enough XML for S3's flat responses: element text by tag name.
enum XMLText {
    /// The bodies of every `<tag>…</tag>` in order.
    static func elements(_ tag: String, in xml: String) -> [Substring] {
        var found: [Substring] = []
        var rest = xml[...]
        while let open = rest.range(of: "<\(tag)>"),
              let close = rest.range(of: "</\(tag)>", range: open.upperBound..<rest.endIndex) {
            found.append(rest[open.upperBound..<close.lowerBound])
            rest = rest[close.upperBound...]
        }
        return found
    }

    /// The unescaped text of the first `<tag>…</tag>`.
    static func value(_ tag: String, in xml: some StringProtocol) -> String? {
        elements(tag, in: String(xml)).first.map { unescape(String($0)) }
    }

    static func unescape(_ text: String) -> String {
        text.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&apos;", with: "'")
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&amp;", with: "&")
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
