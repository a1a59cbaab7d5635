import Dispatch
import Foundation

/// One problem found by a store check, naming the file or object.
public struct StoreProblem: Sendable, Equatable, CustomStringConvertible {
    public let subject: String
    public let message: String
    public var description: String { "\(subject): \(message)" }

    public init(subject: String, message: String) {
        self.subject = subject
        self.message = message
    }
}

/// What a store check looked at.
public struct StoreCheckReport: Sendable {
    public var packs = 0
    public var objects = 0
    public var storedBytes: UInt64 = 0
    public var problems: [StoreProblem] = []
    /// Leftovers of interrupted writes (harmless; `git ml gc` removes them).
    public var warnings: [StoreProblem] = []
}

extension ObjectStore {
    /// Checks every pack and index: checksums, that each index entry matches the entry header in
    /// its pack, that every object decodes to bytes with its digest (delta bases included), and
    /// that every delta base exists. Objects are verified on all cores.
    public func check() -> StoreCheckReport {
        var report = StoreCheckReport()
        // Every pack with an index, whatever the folder's record says (`PackFolder`).
        do { try reloadIndexes(force: true) } catch {
            report.problems.append(StoreProblem(subject: layout.packs, message: "\(error)"))
        }
        let fm = FileManager.default
        let names = Set((try? fm.contentsOfDirectory(atPath: layout.packs)) ?? [])
        for name in names.sorted() {
            let path = layout.packs + "/" + name
            if name.hasSuffix(".pack"), !names.contains(String(name.dropLast(5)) + ".idx") {
                report.warnings.append(StoreProblem(subject: path, message: "pack without index (an interrupted write)"))
            } else if name.hasSuffix(".idx"), !names.contains(String(name.dropLast(4)) + ".pack") {
                report.problems.append(StoreProblem(subject: path, message: "index without its pack"))
            } else if name.hasSuffix(".idx") {
                do { _ = try PackIndex(indexPath: path) } catch {
                    report.problems.append(StoreProblem(subject: path, message: "\(error)"))
                }
            }
        }
        for leftover in layout.leftovers() { report.warnings.append(StoreProblem(subject: leftover.path, message: leftover.explanation)) }

        let indexes = packIndexes
        checkMultiPackIndex(against: indexes, into: &report)
        for index in indexes {
            report.packs += 1
            if !index.verifyChecksum() {
                report.problems.append(StoreProblem(subject: index.indexPath, message: "index checksum mismatch"))
            }
            report.problems += checkPackFile(index)
            let entries = index.entries()
            if entries.count < index.count {
                report.problems.append(StoreProblem(subject: index.indexPath,
                                                    message: "\(index.count - entries.count) of its entries have an unknown kind (the objects they list cannot be read)"))
            }
            report.objects += entries.count
            report.storedBytes += entries.reduce(0) { $0 + UInt64($1.storedLength) }
            let found = ProblemList()
            let list = entries
            DispatchQueue.concurrentPerform(iterations: list.count) { i in
                let e = list[i]
                if let base = e.base, !self.contains(base) {
                    found.add(StoreProblem(subject: "object \(e.digest)", message: "delta base \(base) is missing"))
                    return
                }
                do {
                    // The stored bytes first: an impossible entry, or one past the end of its
                    // pack, is refused before a raw buffer is sized by it.
                    let stored = try self.storedBytes(e, in: index.file)
                    _ = try [UInt8](writingAll: Int(e.rawLength)) { try self.decode(e, stored: stored, into: $0) }
                } catch {
                    found.add(StoreProblem(subject: "object \(e.digest) in \(index.name)", message: "\(error)"))
                }
            }
            report.problems += found.sorted()
        }
        return report
    }

    /// The multi-pack index, if any, against the packs' own indexes: a damaged or stale one is a
    /// warning (it is not used, and the next command or `git ml repack` replaces it); one that
    /// passes its checks but disagrees with a pack's index is a problem (lookups would use it).
    private func checkMultiPackIndex(against indexes: [PackIndex], into report: inout StoreCheckReport) {
        let path = layout.packs + "/" + MasterIndex.defaultFileName
        guard FileManager.default.fileExists(atPath: path) else { return }
        let rewrite = "not used; the next command that opens the store, or `git ml repack`, writes a new one"
        let multi: MultiPackIndex
        do { multi = try MultiPackIndex(path: path) } catch {
            report.warnings.append(StoreProblem(subject: path, message: "\(error) (\(rewrite))"))
            return
        }
        let byName = Dictionary(indexes.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        if let gone = multi.packs.first(where: { byName[$0.name] == nil }) {
            report.warnings.append(StoreProblem(subject: path, message: "names \(gone.name), which is gone (\(rewrite))"))
            return
        }
        var listed = [Int](repeating: 0, count: multi.packs.count)
        for (entry, number) in multi.entries() {
            let pack = multi.packs[number]
            listed[number] += 1
            if byName[pack.name]?.lookup(entry.digest) != entry {
                report.problems.append(StoreProblem(subject: path, message: "its entry for \(entry.digest) does not match the index of "
                                                    + "\(pack.name) (run `git ml repack` to write a new one)"))
                return
            }
        }
        if let number = listed.indices.first(where: { listed[$0] != byName[multi.packs[$0].name]?.count }) {
            let pack = multi.packs[number].name
            report.problems.append(StoreProblem(subject: path, message: "lists \(listed[number]) objects of \(pack), whose index has "
                                                + "\(byName[pack]?.count ?? 0) (run `git ml repack` to write a new one)"))
        }
    }

    /// The pack's header, trailer checksum, and each entry header against its index entry.
    private func checkPackFile(_ index: PackIndex) -> [StoreProblem] {
        let path = index.packPath
        guard let data = try? Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped) else {
            return [StoreProblem(subject: path, message: "cannot be read")]
        }
        var problems: [StoreProblem] = []
        data.withUnsafeBytes { p in
            guard p.count >= PackFormat.headerSize + PackFormat.trailerSize,
                  Array(p[0..<8]) == PackFormat.packMagic else {
                problems.append(StoreProblem(subject: path, message: "not a GitML pack"))
                return
            }
            let body = UnsafeRawBufferPointer(rebasing: p[0..<(p.count - 32)])
            if Digest.of(body) != Digest(pointer: p.baseAddress! + p.count - 32) {
                problems.append(StoreProblem(subject: path, message: "pack checksum mismatch (the file was modified or damaged)"))
            }
            for e in index.entries() {
                guard e.impossibility == nil, e.dataOffset + UInt64(e.storedLength) <= UInt64(p.count - PackFormat.trailerSize),
                      let header = PackEntry.parsePackHeader(UnsafeRawBufferPointer(rebasing: p[Int(e.offset)..<(Int(e.offset) + PackFormat.entryHeaderSize)]), offset: e.offset),
                      header == e else {
                    problems.append(StoreProblem(subject: "object \(e.digest) in \(index.name)", message: "index entry does not match the pack"))
                    continue
                }
            }
        }
        return problems
    }
}

private final class ProblemList: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [StoreProblem] = []
    func add(_ p: StoreProblem) { lock.withLock { items.append(p) } }
    func sorted() -> [StoreProblem] { lock.withLock { items.sorted { $0.subject < $1.subject } } }
}
