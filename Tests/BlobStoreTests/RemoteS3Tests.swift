import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import XCTest
@testable import BlobStore

/// A real S3 server on loopback: moto's standalone server, with authentication on (after the
/// first three unauthenticated IAM calls that create the user, its key and its policy), so
/// every S3 request's Signature V4 is checked.
final class MotoServer {
    let endpoint: URL
    let credentials: AWSCredentials
    private let process: Process
    /// The server's process id (to freeze it with SIGSTOP).
    var processID: Int32 { process.processIdentifier }

    /// The moto_server binary: `MOTO_SERVER`, /tmp/moto-venv/bin/moto_server, or on PATH.
    static func binary() -> String? {
        let environment = ProcessInfo.processInfo.environment
        let candidates = [environment["MOTO_SERVER"], "/tmp/moto-venv/bin/moto_server"]
            + (environment["PATH"] ?? "").split(separator: ":").map { "\($0)/moto_server" }
        return candidates.compactMap { $0 }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// `allow`: the IAM actions the user's policy grants. `checksSignatures: false` turns moto's
    /// authentication off (it refuses unsigned STS AssumeRoleWithWebIdentity calls while it is on).
    init(binary: String, allow: [String] = ["s3:*"], checksSignatures: Bool = true) throws {
        let port = try Self.freePort()
        endpoint = URL(string: "http://127.0.0.1:\(port)")!
        process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["-H", "127.0.0.1", "-p", "\(port)"]
        var environment = ProcessInfo.processInfo.environment
        environment["INITIAL_NO_AUTH_ACTION_COUNT"] = checksSignatures ? "3" : nil
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        try Self.waitUntilServing(endpoint)
        credentials = try Self.createUser(endpoint, allow: allow)
    }

    deinit {
        process.terminate()
        process.waitUntilExit()
    }

    /// A loopback TCP port nobody listens on now (the kernel's pick for port 0).
    private static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard fd >= 0, bound else { throw RemoteError.connection(remote: "moto", detail: "no free loopback port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    private static func waitUntilServing(_ endpoint: URL) throws {
        let client = HTTPClient(timeout: 2)
        for _ in 0..<100 {
            let probe = URLRequest(url: endpoint.appendingPathComponent("moto-api/data.json"))
            if (try? client.send(probe, body: nil)) != nil { return }
            Thread.sleep(forTimeInterval: 0.1)
        }
        throw RemoteError.connection(remote: "moto", detail: "moto_server did not start on \(endpoint)")
    }

    /// IAM: CreateUser, CreateAccessKey, PutUserPolicy (`allow`), the three unauthenticated calls.
    private static func createUser(_ endpoint: URL, allow: [String]) throws -> AWSCredentials {
        let client = HTTPClient()
        let bootstrap = AWSSigner(credentials: AWSCredentials(accessKeyID: "AKIDBOOTSTRAP", secretAccessKey: "x"),
                                  region: "us-east-1", service: "iam")
        func call(_ parameters: [(String, String)]) throws -> String {
            let body = Data((parameters + [("Version", "2010-05-08")])
                .map { "\(AWSSigner.encode($0.0, slash: true))=\(AWSSigner.encode($0.1, slash: true))" }
                .joined(separator: "&").utf8)
            var request = URLRequest(url: endpoint)
            request.httpMethod = "POST"
            let headers = ["host": "\(endpoint.host!):\(endpoint.port!)", "content-type": "application/x-www-form-urlencoded"]
            for (name, value) in bootstrap.sign(method: "POST", path: "/", query: [], headers: headers,
                                                payloadHash: AWSSigner.payloadHash(body), date: Date()) {
                request.setValue(value, forHTTPHeaderField: name)
            }
            let response = try client.send(request, body: body)
            let text = String(decoding: response.body, as: UTF8.self)
            guard response.status == 200 else {
                throw RemoteError.http(remote: "moto", key: "iam", status: response.status, code: "", message: text)
            }
            return text
        }
        _ = try call([("Action", "CreateUser"), ("UserName", "gitml")])
        let key = try call([("Action", "CreateAccessKey"), ("UserName", "gitml")])
        let actions = allow.map { "\"\($0)\"" }.joined(separator: ",")
        let policy = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":[\#(actions)],"Resource":"*"}]}"#
        _ = try call([("Action", "PutUserPolicy"), ("UserName", "gitml"), ("PolicyName", "s3"), ("PolicyDocument", policy)])
        return AWSCredentials(accessKeyID: XMLText.value("AccessKeyId", in: key)!,
                              secretAccessKey: XMLText.value("SecretAccessKey", in: key)!)
    }
}

final class RemoteS3Tests: XCTestCase {
    // One server for the whole class: starting moto takes about a second.
    nonisolated(unsafe) private static var server: MotoServer?
    nonisolated(unsafe) private static var buckets = 0

    override class func tearDown() {
        server = nil
        super.tearDown()
    }

    /// A remote on a fresh bucket of the shared moto server.
    private func freshRemote(credentials: AWSCredentials? = nil, addressing: S3Remote.Addressing = .path) throws -> S3Remote {
        guard let binary = MotoServer.binary() else {
            throw XCTSkip("moto_server is not installed; install it with: python3 -m venv /tmp/moto-venv && "
                + "/tmp/moto-venv/bin/pip install 'moto[server]' (or set MOTO_SERVER to its path)")
        }
        if Self.server == nil { Self.server = try MotoServer(binary: binary) }
        let server = Self.server!
        Self.buckets += 1
        let remote = try S3Remote(name: "team-s3", bucket: "gitml-test-\(Self.buckets)", prefix: "repo/ml",
                                  endpoint: server.endpoint, addressing: addressing,
                                  credentials: credentials ?? server.credentials)
        try remote.createBucket()
        return remote
    }

    func testS3RoundTripGivesIdenticalBytes() throws {
        try RemoteScenario().checkRoundTrip(try freshRemote())
    }

    func testS3TransfersOnlyWhatIsMissing() throws {
        try RemoteScenario().checkIncrementalTransfers(try freshRemote())
    }

    func testS3CorruptedRemoteObjectIsDetectedOnPull() throws {
        try RemoteScenario().checkCorruptionIsDetected(try freshRemote())
    }

    func testS3InterruptedPushResumes() throws {
        try RemoteScenario().checkInterruptedPushResumes(try freshRemote())
    }

    func testS3ConcurrentPushesLoseNothing() throws {
        try RemoteScenario().checkConcurrentPushes(try freshRemote())
    }

    func testS3LockIsExclusive() throws {
        try RemoteScenario().checkLock(try freshRemote())
    }

    func testS3StaleLockIsBrokenOnlyWhenStale() throws {
        try RemoteScenario().checkStaleLockIsBrokenOnlyWhenStale(try freshRemote())
    }

    func testS3MultipartUploadAndRangedReads() throws {
        var remote = try freshRemote()
        remote.multipartThreshold = 5 << 20
        remote.partSize = 5 << 20
        let bytes = incompressibleBytes(11 << 20)
        let dir = TemporaryDirectory()
        write(bytes, to: dir.path + "/big")
        try remote.put("packs/big", file: dir.path + "/big")
        XCTAssertEqual(try remote.stat("packs/big")?.size, UInt64(bytes.count))
        XCTAssertEqual(try remote.get("packs/big", range: nil), bytes)
        XCTAssertEqual(try remote.get("packs/big", range: 5_000_000..<5_300_000), Array(bytes[5_000_000..<5_300_000]))
        XCTAssertNil(try remote.stat("packs/absent"))
        try remote.delete("packs/big")
        XCTAssertEqual(try remote.list(prefix: "packs/"), [])
    }

    func testS3InterruptedMultipartUploadResumesAndAbandonedOnesAreAborted() throws {
        var remote = try freshRemote()
        remote.partSize = 5 << 20
        let bytes = incompressibleBytes(11 << 20)
        // An earlier push sent part 1 intact and part 2 damaged, then died.
        let upload = try remote.startUpload("packs/big")
        try remote.uploadPart("packs/big", uploadID: upload, number: 1, bytes: Data(bytes[0..<(5 << 20)]))
        try remote.uploadPart("packs/big", uploadID: upload, number: 2, bytes: Data(repeating: 0, count: 5 << 20))
        let resumed = try remote.multipartUpload("packs/big", size: bytes.count) { Data(bytes[$0]) }
        XCTAssertEqual(resumed.kept, 1)
        XCTAssertEqual(resumed.sent, 2)
        XCTAssertEqual(try remote.get("packs/big", range: nil), bytes)
        XCTAssertEqual(try remote.unfinishedUploads(keyPrefix: "").count, 0)

        _ = try remote.startUpload("packs/abandoned")
        // moto reports every upload as started in 2010, so only the cutoff's upper side is checkable here.
        XCTAssertEqual(try remote.abortUploads(startedBefore: Date().addingTimeInterval(3600)), 1)
        XCTAssertEqual(try remote.unfinishedUploads(keyPrefix: "").count, 0)
    }

    private func incompressibleBytes(_ count: Int) -> [UInt8] {
        var state: UInt64 = 7
        return (0..<count).map { _ -> UInt8 in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: state >> 56)
        }
    }

    func testWrongCredentialsNameTheRemoteAndWhatToFix() throws {
        let good = try freshRemote()
        let wrongSecret = AWSCredentials(accessKeyID: Self.server!.credentials.accessKeyID, secretAccessKey: "not-the-secret")
        let unknownKey = AWSCredentials(accessKeyID: "AKIAUNKNOWN000000000", secretAccessKey: "x")
        for credentials in [wrongSecret, unknownKey] {
            let remote = try S3Remote(name: "team-s3", bucket: good.bucket, prefix: "repo/ml", endpoint: good.endpoint,
                                      credentials: credentials)
            XCTAssertThrowsError(try remote.list(prefix: "packs/")) { error in
                guard case RemoteError.accessDenied(let name, _, _) = error else { return XCTFail("\(error)") }
                XCTAssertEqual(name, "team-s3")
                XCTAssertTrue("\(error)".contains("AWS_SECRET_ACCESS_KEY"))
                XCTAssertFalse("\(error)".contains("not-the-secret"))
            }
        }
    }

    func testAddressingBuildsPathStyleAndVirtualHostedURLs() throws {
        let credentials = AWSCredentials(accessKeyID: "AK", secretAccessKey: "s")
        let local = try S3Remote(name: "r", bucket: "b", prefix: "repo/ml", endpoint: URL(string: "http://127.0.0.1:9000"),
                                 credentials: credentials)
        XCTAssertEqual(local.addressing, .path)
        let object = local.location("packs/a b+c.idx")
        XCTAssertEqual(object.url, "http://127.0.0.1:9000/b/repo/ml/packs/a%20b%2Bc.idx")
        XCTAssertEqual(object.host, "127.0.0.1:9000")
        XCTAssertEqual(local.location(nil).path, "/b")
        let aws = try S3Remote(name: "r", bucket: "b", prefix: "repo/ml/", region: "eu-west-1", credentials: credentials)
        XCTAssertEqual(aws.addressing, .virtualHosted)
        XCTAssertEqual(aws.location("packs/x.idx").url, "https://b.s3.eu-west-1.amazonaws.com/repo/ml/packs/x.idx")
        XCTAssertEqual(aws.location("packs/x.idx").host, "b.s3.eu-west-1.amazonaws.com")
        XCTAssertEqual(aws.location(nil).path, "/")
        let minio = try S3Remote(name: "r", bucket: "b", endpoint: URL(string: "https://minio.example:443"),
                                 credentials: credentials)
        XCTAssertEqual(minio.location("k").url, "https://minio.example/b/k")
    }

    func testUnreachableEndpointFailsAfterRetriesNamingTheRemote() throws {
        var remote = try S3Remote(name: "team-s3", bucket: "b", endpoint: URL(string: "http://127.0.0.1:1"),
                                  credentials: AWSCredentials(accessKeyID: "AK", secretAccessKey: "s"))
        remote.maxAttempts = 3
        remote.initialBackoff = 0.01
        XCTAssertThrowsError(try remote.stat("packs/x")) { error in
            guard case RemoteError.connection(let name, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(name, "team-s3")
        }
    }

    /// AWS's published Signature V4 example (S3 "GET Object" with a Range header).
    func testSignatureMatchesTheAWSDocumentedExample() {
        let signer = AWSSigner(credentials: AWSCredentials(accessKeyID: "AKIAIOSFODNN7EXAMPLE",
                                                           secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
                               region: "us-east-1")
        let headers = signer.sign(method: "GET", path: "/test.txt", query: [],
                                  headers: ["Host": "examplebucket.s3.amazonaws.com", "Range": "bytes=0-9"],
                                  payloadHash: AWSSigner.payloadHash(Data()), date: Date(timeIntervalSince1970: 1_369_353_600))
        XCTAssertEqual(headers["authorization"],
                       "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
                       + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
                       + "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
    }
}
