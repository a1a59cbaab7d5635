import Foundation
import XCTest
@testable import BlobStore

/// Readers and writers of one `ObjectStore` on many threads, as a pull's parallel transfers use it.
final class StoreConcurrencyTests: XCTestCase {
    /// A pull appends fetched objects on several threads and reads delta bases it appended
    /// earlier; when one append filled the open pack (64 MiB) and sealed it, other threads found
    /// those bases neither pending nor in a loaded index ("object … is not in the store") until
    /// the sealing thread had listed and loaded the new index.
    func testObjectsStayReadableWhileAnotherThreadSealsTheOpenPack() throws {
        let dir = TemporaryDirectory()
        let store = try ObjectStore(layout: StoreLayout(root: dir.path + "/ml"))
        let early = try (0..<64).map { try store.put(Array("early object \($0)".utf8)) }
        var generator = SystemRandomNumberGenerator()
        let noise = (0..<(1 << 20)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let packsToSeal = 2
        let chunks = packsToSeal * Int(PackFormat.targetPackSize) / noise.count + 1
        let failures = Failures()
        let writing = Failures()
        DispatchQueue.concurrentPerform(iterations: 5) { worker in
            if worker == 0 {
                var chunk = noise
                for k in 0..<chunks {
                    withUnsafeBytes(of: UInt64(k)) { chunk.replaceSubrange(0..<8, with: $0) }
                    do { try store.put(chunk) } catch { failures.record("append \(k): \(error)") }
                }
                writing.record("done")
                return
            }
            while writing.isEmpty {
                for digest in early {
                    do {
                        _ = try store.read(digest)
                    } catch {
                        failures.record("\(error)")
                    }
                }
            }
        }
        XCTAssertEqual(failures.first, nil, "\(failures.count) reads failed while packs were sealed")
        XCTAssertGreaterThanOrEqual(store.sealedPackIndexPaths.count, packsToSeal)
    }
}

/// Messages recorded from many threads.
private final class Failures: @unchecked Sendable {  // `messages` is guarded by `lock`
    private let lock = NSLock()
    private var messages: [String] = []
    func record(_ message: String) { lock.withLock { messages.append(message) } }
    var isEmpty: Bool { lock.withLock { messages.isEmpty } }
    var first: String? { lock.withLock { messages.first } }
    var count: Int { lock.withLock { messages.count } }
}
