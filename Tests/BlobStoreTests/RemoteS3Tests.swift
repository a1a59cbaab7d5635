import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import XCTest
import MotoSupport
@testable import BlobStore

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
