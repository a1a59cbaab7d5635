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
    /// The longest object header (`<type> <decimal length>\0`) read before giving up on one.
    static let longestHeader = 32

    /// Throws `GitError.damagedObject` when the loose file of `id` under `objects` exists and
    /// does not hold a well-formed object with that id. Objects of any size are checked (the
    /// record of a million-file dataset is 70 MiB of JSON in a loose file of a few MiB): the
    /// inflate stops once it passes the length the header gives, so a stream that claims little
    /// and inflates to much costs no more than the claim.
    static func check(_ id: ObjectID, objects: String) throws(GitError) {
        let path = objects + "/" + id.hex.prefix(2) + "/" + id.hex.dropFirst(2)
        guard let file = FileManager.default.contents(atPath: path) else { return }  // packed, or elsewhere
        let object: (type: git_object_t, header: Int, raw: [UInt8])
        do {
            object = try inflate(Array(file))
        } catch {
            throw .damagedObject(object: id.hex, message: error.reason)
        }
        var actual = git_oid()
        let hashed = object.raw[object.header...].withUnsafeBytes { git_odb_hash(&actual, $0.baseAddress, $0.count, object.type) }
        guard hashed == 0, ObjectID(actual) == id else {
            throw .damagedObject(object: id.hex, message: "its content hashes to \(ObjectID(actual).hex)")
        }
    }

    struct Failure: Error { let reason: String }

    /// The header (`<type> <length>\0`) at the start of `raw`: the type and the header's length,
    /// with the content length it gives; nil until the NUL is there, a failure when it is not
    /// within `longestHeader` bytes or does not parse.
    private static func header(_ raw: [UInt8]) throws(Failure) -> (type: git_object_t, length: Int, size: Int)? {
        guard let nul = raw.prefix(longestHeader).firstIndex(of: 0) else {
            if raw.count >= longestHeader { throw Failure(reason: "its header does not give its type and length") }
            return nil
        }
        guard let text = String(bytes: raw[..<nul], encoding: .ascii), let space = text.firstIndex(of: " "),
              let size = Int(text[text.index(after: space)...]), size >= 0 else {
            throw Failure(reason: "its header does not give its type and length")
        }
        let type = git_object_string2type(String(text[..<space]))
        guard type != GIT_OBJECT_INVALID else { throw Failure(reason: "its header names no object type") }
        return (type, nul + 1, size)
    }

    /// The whole zlib stream of `bytes`, which must end exactly at the end of `bytes` and inflate
    /// to exactly the length its header gives: the type, the header's length and the bytes.
    private static func inflate(_ bytes: [UInt8]) throws(Failure) -> (type: git_object_t, header: Int, raw: [UInt8]) {
        var stream = z_stream()
        guard gitml_inflate_init(&stream, 15) == Z_OK else { throw Failure(reason: "zlib could not start") }
        defer { inflateEnd(&stream) }
        var out: [UInt8] = []
        var parsed: (type: git_object_t, length: Int, size: Int)?
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        var input = bytes
        return try input.withUnsafeMutableBufferPointer { (input) throws(Failure) -> (type: git_object_t, header: Int, raw: [UInt8]) in
            stream.next_in = input.baseAddress
            stream.avail_in = UInt32(input.count)
            while true {
                let status = chunk.withUnsafeMutableBufferPointer { buffer -> Int32 in
                    stream.next_out = buffer.baseAddress
                    stream.avail_out = UInt32(buffer.count)
                    return CZlib.inflate(&stream, Z_NO_FLUSH)
                }
                out += chunk[..<(chunk.count - Int(stream.avail_out))]
                if parsed == nil, let found = try header(out) {
                    parsed = found
                    // The stream's own bound: zlib inflates at most ~1032 bytes per input byte.
                    out.reserveCapacity(min(found.length + found.size, bytes.count * 1032 + found.length))
                }
                if let parsed, out.count > parsed.length + parsed.size {
                    throw Failure(reason: "it inflates to more than its header allows")
                }
                switch status {
                case Z_STREAM_END:
                    guard stream.avail_in == 0 else { throw Failure(reason: "bytes follow the end of its zlib stream") }
                    guard let parsed else { throw Failure(reason: "its header does not give its type and length") }
                    guard out.count == parsed.length + parsed.size else { throw Failure(reason: "it inflates to less than its header gives") }
                    return (parsed.type, parsed.length, out)
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
