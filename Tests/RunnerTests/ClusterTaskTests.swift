import BlobStore
import Records
import XCTest
@testable import Runner

/// The payload a Ray task carries to its node (docs/FORMAT.md, "Cluster task").
final class ClusterTaskTests: XCTestCase {
    let task = ClusterTask(
        commit: String(repeating: "ab", count: 20),
        code: RunRecord.Artifact(digest: "sha256:" + String(repeating: "1", count: 64), size: 123_456, manifest: nil),
        remote: RemoteSpec(name: "shared", url: "s3://team-ml/churn", endpoint: "http://127.0.0.1:9000", region: nil, pathStyle: true),
        datasets: [RunRecord.DatasetUse(name: "churn-train", version: 3, digest: "sha256:" + String(repeating: "2", count: 64))],
        userName: "Ada", userEmail: nil, arguments: ["sweep", "trial", ClusterTask.jobPlaceholder],
        files: ["request.json": "{\"experiment\": \"churn-gbdt\"}\n"])

    func testATaskReadsBackAsWritten() throws {
        let text = CanonicalJSON.encode(task.json)
        XCTAssertEqual(try ClusterTask(json: try CanonicalJSON.parse(text)), task)
        XCTAssertFalse(text.contains("secret") || text.contains("AWS_"), "the payload names the remote, never credentials")
    }

    func testAnotherFormatOrAMissingCommitIsRefused() throws {
        guard case .object(var fields) = task.json else { return XCTFail("not an object") }
        fields["format"] = 2
        XCTAssertThrowsError(try ClusterTask(json: .object(fields))) { XCTAssertTrue("\($0)".contains("format 2, expected 1"), "\($0)") }
        fields["format"] = 1
        fields["commit"] = "HEAD"
        XCTAssertThrowsError(try ClusterTask(json: .object(fields))) { XCTAssertTrue("\($0)".contains("no commit"), "\($0)") }
    }
}
