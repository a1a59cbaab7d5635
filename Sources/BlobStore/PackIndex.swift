import Foundation

/// One pack's index, memory-mapped: a sorted, fan-out-accelerated table of its chunks.
/// Lookups are a binary search within the fan-out bucket of the digest's first byte.
final class PackIndex: @unchecked Sendable {  // immutable after init
    let packPath: String
    let indexPath: String
    /// The pack's name: `pack-<hex>`.
    let name: String
    private let data: Data
    let count: Int
    private let entriesOffset: Int

    /// Maps and validates the index at `indexPath` (header, version, size, checksum).
    init(indexPath: String) throws {
        self.indexPath = indexPath
        packPath = String(indexPath.dropLast(4)) + ".pack"
        name = ((indexPath as NSString).lastPathComponent as NSString).deletingPathExtension
        guard name.utf8.count == 69, name.hasPrefix("pack-"), let checksum = Digest(parsing: name.dropFirst(5)) else {
            throw StoreError.corruptFile(path: indexPath, detail: "not named pack-<its pack's checksum>.idx")
        }
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: indexPath), options: .alwaysMapped)
        } catch {
            throw StoreError.io(path: indexPath, operation: "map", message: error.localizedDescription)
        }
        let minimum = PackFormat.headerSize + PackFormat.fanoutSize + 32
        guard data.count >= minimum, Array(data.prefix(8)) == PackFormat.indexMagic else {
            throw StoreError.corruptFile(path: indexPath, detail: "not a GitML pack index")
        }
        let version = data.withUnsafeBytes { Int(UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: 8, as: UInt32.self))) }
        guard version == Int(PackFormat.version) else { throw StoreError.unsupportedVersion(path: indexPath, version: version, supported: Int(PackFormat.version)) }
        count = data.withUnsafeBytes { Int(UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: 12, as: UInt32.self))) }
        entriesOffset = PackFormat.headerSize + PackFormat.fanoutSize
        guard data.count == entriesOffset + count * PackFormat.indexEntrySize + 32 else {
            throw StoreError.corruptFile(path: indexPath, detail: "size does not match its \(count) entries")
        }
        file = PackFile(checksum: checksum, directory: (indexPath as NSString).deletingLastPathComponent, count: count)
    }

    /// The pack this index describes.
    let file: PackFile

    /// Whether the trailing checksum matches the content (fsck).
    func verifyChecksum() -> Bool {
        data.withUnsafeBytes { all in
            let body = UnsafeRawBufferPointer(rebasing: all[0..<(all.count - 32)])
            return Digest.of(body) == Digest(pointer: all.baseAddress! + all.count - 32)
        }
    }

    /// The entry for `digest`, or nil.
    func lookup(_ digest: Digest) -> PackEntry? {
        data.withUnsafeBytes { p -> PackEntry? in
            let base = p.baseAddress!
            let bucket = Int(digest.firstByte)
            func fan(_ i: Int) -> Int {
                Int(UInt32(littleEndian: base.loadUnaligned(fromByteOffset: PackFormat.headerSize + i * 4, as: UInt32.self)))
            }
            var low = bucket == 0 ? 0 : fan(bucket - 1)
            var high = min(fan(bucket), count)
            while low < high {
                let mid = (low + high) / 2
                let record = base + entriesOffset + mid * PackFormat.indexEntrySize
                let candidate = Digest(pointer: record)
                if candidate == digest { return PackEntry.parseIndexRecord(record) }
                if candidate < digest { low = mid + 1 } else { high = mid }
            }
            return nil
        }
    }

    /// Every entry in digest order.
    func entries() -> [PackEntry] {
        data.withUnsafeBytes { p in
            (0..<count).compactMap { PackEntry.parseIndexRecord(p.baseAddress! + entriesOffset + $0 * PackFormat.indexEntrySize) }
        }
    }

    /// The bytes of an index for `entries` (any order; sorted here).
    static func encode(_ entries: [PackEntry]) -> [UInt8] {
        let sorted = entries.sorted { $0.digest < $1.digest }
        var out = PackFormat.indexMagic
        out.appendLittleEndian(PackFormat.version)
        out.appendLittleEndian(UInt32(sorted.count))
        var fanout = [UInt32](repeating: 0, count: 256)
        for e in sorted { fanout[Int(e.digest.firstByte)] += 1 }
        var running: UInt32 = 0
        for i in 0..<256 { running += fanout[i]; out.appendLittleEndian(running) }
        out.reserveCapacity(out.count + sorted.count * PackFormat.indexEntrySize + 32)
        for e in sorted { out.append(contentsOf: e.indexRecord()) }
        out.append(contentsOf: Digest.of(out).bytes)
        return out
    }
}
