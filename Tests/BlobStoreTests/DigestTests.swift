import XCTest
@testable import BlobStore

final class DigestTests: XCTestCase {
    func testKnownVectorMatchesSha256sum() {
        // printf 'abc' | sha256sum
        let d = Digest.of(Array("abc".utf8))
        XCTAssertEqual(d.hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(Digest(parsing: d.description), d)
        XCTAssertEqual(Digest(parsing: d.hex), d)
        XCTAssertEqual(Digest(bytes: d.bytes), d)
    }

    func testRejectsMalformedText() {
        XCTAssertNil(Digest(parsing: "sha256:xyz"))
        XCTAssertNil(Digest(parsing: String(repeating: "G", count: 64)))
        XCTAssertNil(Digest(parsing: String(repeating: "a", count: 63)))
    }

    func testStreamingEqualsOneShot() {
        let data = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        var s = StreamingDigest()
        data.withUnsafeBytes { all in
            s.update(UnsafeRawBufferPointer(rebasing: all[0..<777]))
            s.update(UnsafeRawBufferPointer(rebasing: all[777...]))
        }
        XCTAssertEqual(s.finalize(), Digest.of(data))
    }
}
