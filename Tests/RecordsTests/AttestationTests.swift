import Records
import XCTest

/// The attestation record: round trip, what a signature covers, and the old format refused.
final class AttestationTests: XCTestCase {
    private func sample() -> Attestation {
        Attestation(run: "sha256:" + String(repeating: "ab", count: 32), result: .bitIdentical,
                    artifacts: ["model/seed-1": .init(recorded: "sha256:11", reproduced: "sha256:11"),
                                "predictions/evaluation": .init(recorded: "sha256:22", reproduced: "sha256:22")],
                    largestDeltaMetric: nil, largestDelta: 0, tolerance: 1e-9, inCI: true, numericProfile: "p", host: "h",
                    by: "CI <ci@example.com>", at: "2026-12-04T00:00:00Z")
    }

    func testRoundTripAndSignedBytes() throws {
        var attestation = sample()
        let unsigned = attestation.signedBytes
        attestation.signature = .init(principal: "ci@example.com", ssh: "-----BEGIN SSH SIGNATURE-----\nx\n-----END SSH SIGNATURE-----\n")
        XCTAssertEqual(attestation.signedBytes, unsigned, "the signature is not part of what it signs")
        let parsed = try Attestation(text: CanonicalJSON.pretty(attestation.json))
        XCTAssertEqual(parsed, attestation)
        XCTAssertTrue(parsed.digestsEqual)
        XCTAssertTrue(parsed.names(artifacts: ["model/seed-1": "sha256:11", "predictions/evaluation": "sha256:22"]))
        XCTAssertFalse(parsed.names(artifacts: ["model/seed-1": "sha256:11"]))
        // Any edit of a signed field changes the signed bytes.
        var edited = attestation
        edited.run = "sha256:" + String(repeating: "cd", count: 32)
        XCTAssertNotEqual(edited.signedBytes, unsigned)
    }

    func testBitIdenticalNeedsEveryDigestReproduced() {
        var attestation = sample()
        attestation.artifacts["model/seed-1"]?.reproduced = "sha256:99"
        XCTAssertFalse(attestation.digestsEqual)
        attestation.artifacts["model/seed-1"]?.reproduced = nil
        XCTAssertFalse(attestation.digestsEqual)
    }

    func testFormatVersionOneIsRefused() {
        let old = """
            {"format_version": 1, "kind": "attestation", "run": "sha256:ab", "result": "bit_identical",
             "largest_delta": {"metric": null, "value": 0}, "tolerance": 1e-9,
             "where": {"ci": true, "numeric_profile": "p", "host": "h"}, "by": "x", "at": "y"}
            """
        XCTAssertThrowsError(try Attestation(text: old)) { XCTAssertTrue("\($0)".contains("format_version 1"), "\($0)") }
    }
}
