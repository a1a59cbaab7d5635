import CGit2
import CZlib
import Foundation

/// Checks a loose object file before libgit2 reads it.
///
/// libgit2 1.5 (Debian 12's) loops forever in `inflate` on a loose object whose zlib stream ends
/// before its end marker — a truncated file, or a flipped byte that makes the stream look
/// longer (libgit2 issue #7342, fixed upstream in 2026 by "fail on truncated input instead of
/// looping forever"). So every object GitRepo reads itself (records, locks, run files: commits,
/// trees on the way, blobs) is first inflated here, in full and bounded by its header, and
/// hashed with libgit2's own `git_odb_hash`; a damaged one is `GitError.damagedObject` with the
/// reason. Packed objects (no loose file) are left to libgit2, whose pack reader does not loop.
/// libgit2's own walks (`git_revwalk`, `git_revparse`, `git_graph_descendant_of`) read commits
/// unchecked, so GitRepo does not call them: see docs/RELIABILITY.md.
enum LooseObjectCheck {
    /// Objects larger than this are left to libgit2 (GitML reads no loose object this large;
    /// checking one would read it twice).
    static let largest = 64 << 20

    /// Throws `GitError.damagedObject` when the loose file of `id` under `objects` exists and
    /// does not hold a well-formed object with that id.
    static func check(_ id: ObjectID, objects: String) throws(GitError) {
        let path = objects + "/" + id.hex.prefix(2) + "/" + id.hex.dropFirst(2)
        guard let file = FileManager.default.contents(atPath: path) else { return }  // packed, or elsewhere
        guard file.count <= largest else { return }
        let raw: [UInt8]
        do {
            raw = try inflate(Array(file))
        } catch {
            throw .damagedObject(object: id.hex, message: error.reason)
        }
        guard let nul = raw.firstIndex(of: 0),
              let header = String(bytes: raw[..<nul], encoding: .ascii), let space = header.firstIndex(of: " "),
              let size = Int(header[header.index(after: space)...]), size == raw.count - nul - 1 else {
            throw .damagedObject(object: id.hex, message: "its header does not give its type and length")
        }
        let type = git_object_string2type(String(header[..<space]))
        guard type != GIT_OBJECT_INVALID else { throw .damagedObject(object: id.hex, message: "its header names no object type") }
        var actual = git_oid()
        let hashed = raw[(nul + 1)...].withUnsafeBytes { git_odb_hash(&actual, $0.baseAddress, $0.count, type) }
        guard hashed == 0, ObjectID(actual) == id else {
            throw .damagedObject(object: id.hex, message: "its content hashes to \(ObjectID(actual).hex)")
        }
    }

    struct Failure: Error { let reason: String }

    /// The whole zlib stream of `bytes`, which must end exactly at the end of `bytes`.
    private static func inflate(_ bytes: [UInt8]) throws(Failure) -> [UInt8] {
        var stream = z_stream()
        guard gitml_inflate_init(&stream, 15) == Z_OK else { throw Failure(reason: "zlib could not start") }
        defer { inflateEnd(&stream) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 << 10)
        var input = bytes
        return try input.withUnsafeMutableBufferPointer { (input) throws(Failure) -> [UInt8] in
            stream.next_in = input.baseAddress
            stream.avail_in = UInt32(input.count)
            while true {
                let status = chunk.withUnsafeMutableBufferPointer { buffer -> Int32 in
                    stream.next_out = buffer.baseAddress
                    stream.avail_out = UInt32(buffer.count)
                    return CZlib.inflate(&stream, Z_NO_FLUSH)
                }
                out += chunk[..<(chunk.count - Int(stream.avail_out))]
                guard out.count <= largest + 64 else { throw Failure(reason: "it inflates to more than its header allows") }
                switch status {
                case Z_STREAM_END:
                    guard stream.avail_in == 0 else { throw Failure(reason: "bytes follow the end of its zlib stream") }
                    return out
                case Z_OK:
                    continue
                case Z_BUF_ERROR where stream.avail_in == 0:
                    throw Failure(reason: "its zlib stream ends early")
                default:
                    throw Failure(reason: stream.msg.map { String(cString: $0) } ?? "zlib error \(status)")
                }
            }
        }
    }
}
