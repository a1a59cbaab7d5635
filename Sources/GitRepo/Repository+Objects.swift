import CGit2
import Foundation

/// A signature for commits GitML writes itself (dataset version records).
public struct Signature: Sendable {
    public let name: String
    public let email: String
    public let time: Date

    public init(name: String, email: String, time: Date) {
        self.name = name
        self.email = email
        self.time = time
    }
}

/// One entry of a tree GitML writes: a blob under a file name.
public struct TreeFile: Sendable {
    public let name: String
    public let blob: ObjectID
    public init(name: String, blob: ObjectID) {
        self.name = name
        self.blob = blob
    }
}

extension Repository {
    /// Writes `bytes` as a blob.
    public func writeBlob(_ bytes: [UInt8]) throws(GitError) -> ObjectID {
        var oid = git_oid()
        try check(bytes.withUnsafeBytes { git_blob_create_from_buffer(&oid, handle, $0.baseAddress, $0.count) }, "write blob")
        return ObjectID(oid)
    }

    /// Writes a flat tree of regular files.
    public func writeTree(_ files: [TreeFile]) throws(GitError) -> ObjectID {
        var builder: OpaquePointer?
        try check(git_treebuilder_new(&builder, handle, nil), "create tree")
        defer { git_treebuilder_free(builder) }
        for file in files {
            var oid = file.blob.oid
            try check(git_treebuilder_insert(nil, builder, file.name, &oid, GIT_FILEMODE_BLOB), "add \(file.name) to tree")
        }
        var tree = git_oid()
        try check(git_treebuilder_write(&tree, builder), "write tree")
        return ObjectID(tree)
    }

    /// Writes a commit object without moving any ref.
    public func writeCommit(tree: ObjectID, parents: [ObjectID], message: String, signature: Signature) throws(GitError) -> ObjectID {
        var sig: UnsafeMutablePointer<git_signature>?
        try check(git_signature_new(&sig, signature.name, signature.email, git_time_t(signature.time.timeIntervalSince1970), 0),
                  "make signature")
        defer { git_signature_free(sig) }
        let treeObject = try lookupTree(tree)
        defer { git_tree_free(treeObject) }
        var parentObjects: [OpaquePointer?] = []
        defer { parentObjects.forEach { git_commit_free($0) } }
        for parent in parents { parentObjects.append(try lookupCommit(parent)) }
        var out = git_oid()
        let code = parentObjects.withUnsafeMutableBufferPointer { buffer in
            git_commit_create(&out, handle, nil, sig, sig, "UTF-8", message, treeObject, buffer.count, buffer.baseAddress)
        }
        try check(code, "write commit")
        return ObjectID(out)
    }

    /// The bytes of the file at `path` in `revision` (any revision git understands: a branch,
    /// `HEAD~2`, a commit id, a ref), read from the object database without checkout; nil when
    /// the revision has no such file. Throws when the revision itself does not exist.
    public func fileContents(at revision: String, path: String) throws(GitError) -> [UInt8]? {
        let commit = try resolveCommit(revision)
        return try fileContents(inCommit: commit, path: path)
    }

    /// The bytes of `path` in the tree of `commit`, or nil.
    public func fileContents(inCommit commit: ObjectID, path: String) throws(GitError) -> [UInt8]? {
        guard let blob = try blobID(inCommit: commit, path: path) else { return nil }
        return try blobContents(blob)
    }

    /// The id of the blob at `path` in `commit`, or nil when the commit has no such file: two
    /// commits hold the same file exactly when the ids are equal, with nothing read.
    public func blobID(inCommit commit: ObjectID, path: String) throws(GitError) -> ObjectID? {
        try withRootTree(ofCommit: commit) { root throws(GitError) -> ObjectID? in
            try withEntry(at: path.split(separator: "/")[...], in: root) { entry throws(GitError) -> ObjectID? in
                guard let entry, git_tree_entry_type(entry) == GIT_OBJECT_BLOB else { return nil }
                return ObjectID(git_tree_entry_id(entry).pointee)
            }
        }
    }

    /// The names of the blobs directly under `directory` in `commit` (empty when it has no such
    /// directory), sorted.
    public func fileNames(inCommit commit: ObjectID, directory: String) throws(GitError) -> [String] {
        try withRootTree(ofCommit: commit) { root throws(GitError) -> [String] in
            try withEntry(at: directory.split(separator: "/")[...], in: root) { entry throws(GitError) -> [String] in
                guard let entry, git_tree_entry_type(entry) == GIT_OBJECT_TREE else { return [] }
                let tree = try lookupTree(ObjectID(git_tree_entry_id(entry).pointee))
                defer { git_tree_free(tree) }
                return (0..<git_tree_entrycount(tree)).compactMap { index in
                    guard let child = git_tree_entry_byindex(tree, index), git_tree_entry_type(child) == GIT_OBJECT_BLOB else { return nil }
                    return String(cString: git_tree_entry_name(child))
                }.sorted()
            }
        }
    }

    /// Calls `body` with the entry at `components` below `tree` (nil when there is none); each
    /// folder on the way is read through `lookupTree`, so a damaged one is an error, never an
    /// absent file.
    private func withEntry<R>(at components: ArraySlice<Substring>, in tree: OpaquePointer?,
                              _ body: (OpaquePointer?) throws(GitError) -> R) throws(GitError) -> R {
        guard let first = components.first, let entry = git_tree_entry_byname(tree, String(first)) else { return try body(nil) }
        if components.count == 1 { return try body(entry) }
        guard git_tree_entry_type(entry) == GIT_OBJECT_TREE else { return try body(nil) }
        let subtree = try lookupTree(ObjectID(git_tree_entry_id(entry).pointee))
        defer { git_tree_free(subtree) }
        return try withEntry(at: components.dropFirst(), in: subtree, body)
    }

    /// A commit, its loose file checked first (`LooseObjectCheck`); free it with `git_commit_free`.
    func lookupCommit(_ commit: ObjectID) throws(GitError) -> OpaquePointer? { try lookup(commit, GIT_OBJECT_COMMIT) }

    /// A tree, its loose file checked first; free it with `git_tree_free`.
    private func lookupTree(_ tree: ObjectID) throws(GitError) -> OpaquePointer? { try lookup(tree, GIT_OBJECT_TREE) }

    /// An object of `type`, its loose file checked first.
    func lookup(_ id: ObjectID, _ type: git_object_t) throws(GitError) -> OpaquePointer? {
        try LooseObjectCheck.check(id, objects: commonDir + "/objects")
        var oid = id.oid
        var object: OpaquePointer?
        try checkRead(git_object_lookup(&object, handle, &oid, type), id.hex, "look up \(id)")
        return object
    }

    /// The bytes of a blob.
    public func blobContents(_ blob: ObjectID) throws(GitError) -> [UInt8] {
        let object = try lookup(blob, GIT_OBJECT_BLOB)
        defer { git_blob_free(object) }
        let size = Int(git_blob_rawsize(object))
        guard size > 0, let raw = git_blob_rawcontent(object) else { return [] }
        return Array(UnsafeRawBufferPointer(start: raw, count: size))
    }

    /// Every commit reachable from `tips` but not from `hiding` (as `git rev-list tips ^hiding`),
    /// newest first. Throws the first damaged commit met (see `reachable`).
    public func walk(from tips: [ObjectID], hiding: [ObjectID] = []) throws(GitError) -> [ObjectID] {
        let walked = reachable(from: tips, hiding: hiding)
        if let first = walked.damaged.first { throw first.error }
        return walked.commits
    }

    /// The commits reachable from `tips` but not from `hiding`, newest first (commit time; a
    /// child before its parents at equal times), read commit by commit through `lookup` — not `git_revwalk`, which in libgit2 1.5
    /// overflows a heap buffer or loops forever on a damaged loose commit. A damaged commit is
    /// listed in `damaged` and not followed; tips that are missing or not commits (a tag of a
    /// blob) are skipped, a tag of a commit is peeled.
    public func reachable(from tips: [ObjectID], hiding: [ObjectID] = []) -> (commits: [ObjectID], damaged: [(id: ObjectID, error: GitError)]) {
        var damaged: [(id: ObjectID, error: GitError)] = []
        // Each commit's time and the order it was met in (a commit is met before its parents).
        func closure(_ starts: [ObjectID]) -> [ObjectID: (time: Int64, order: Int)] {
            var seen: [ObjectID: (time: Int64, order: Int)] = [:]
            var pending = starts.compactMap { peeledCommit($0, damaged: &damaged) }
            while let next = pending.popLast() {
                guard seen[next] == nil else { continue }
                do throws(GitError) {
                    let commit = try lookupCommit(next)
                    defer { git_commit_free(commit) }
                    seen[next] = (Int64(git_commit_time(commit)), seen.count)
                    pending += (0..<git_commit_parentcount(commit)).compactMap { git_commit_parent_id(commit, $0).map { ObjectID($0.pointee) } }
                } catch {
                    if case .notFound = error { continue }  // a parent beyond a shallow clone's edge
                    damaged.append((next, error))
                }
            }
            return seen
        }
        let hidden = closure(hiding)
        let found = closure(tips).filter { hidden[$0.key] == nil }
        return (found.sorted { $0.value.time != $1.value.time ? $0.value.time > $1.value.time : $0.value.order < $1.value.order }.map(\.key), damaged)
    }

    /// The commit `id` names (a tag peeled to its target), or nil when it names none; a damaged
    /// object on the way is listed in `damaged`.
    private func peeledCommit(_ id: ObjectID, damaged: inout [(id: ObjectID, error: GitError)]) -> ObjectID? {
        do throws(GitError) {
            return try peeledCommit(id)
        } catch {
            guard case .damagedObject(let object, _) = error, let damagedID = ObjectID(hex: object) else {
                damaged.append((id, error))
                return nil
            }
            damaged.append((damagedID, error))
            return nil
        }
    }

    /// The commit `id` names (a tag peeled to its target, each object read through the check),
    /// or nil when it names none or is missing; throws when one on the way is damaged.
    func peeledCommit(_ id: ObjectID) throws(GitError) -> ObjectID? {
        var current = id
        for _ in 0..<16 {
            let object: OpaquePointer?
            do throws(GitError) {
                object = try lookup(current, GIT_OBJECT_ANY)
            } catch {
                if case .notFound = error { return nil }
                throw error
            }
            defer { git_object_free(object) }
            switch git_object_type(object) {
            case GIT_OBJECT_COMMIT: return current
            case GIT_OBJECT_TAG: current = ObjectID(git_tag_target_id(object).pointee)
            default: return nil
            }
        }
        return nil
    }

    /// The id of `commit`'s tree with its top-level entry `name` left out (the tree itself
    /// when it has no such entry). Run records use it with `ml` to name "the code" of a commit:
    /// equal ids mean equal code whatever happened under `ml/`. Writes the tree object.
    public func treeID(ofCommit commit: ObjectID, excluding name: String) throws(GitError) -> ObjectID {
        try withRootTree(ofCommit: commit) { tree throws(GitError) -> ObjectID in
            guard git_tree_entry_byname(tree, name) != nil else { return ObjectID(git_tree_id(tree).pointee) }
            var builder: OpaquePointer?
            try check(git_treebuilder_new(&builder, handle, tree), "copy tree of \(commit)")
            defer { git_treebuilder_free(builder) }
            try check(git_treebuilder_remove(builder, name), "leave \(name) out of the tree")
            var out = git_oid()
            try check(git_treebuilder_write(&out, builder), "write tree")
            return ObjectID(out)
        }
    }

    /// Calls `body` with the root tree of `commit` (freed after it returns).
    private func withRootTree<R>(ofCommit commit: ObjectID, _ body: (OpaquePointer?) throws(GitError) -> R) throws(GitError) -> R {
        let commitObject = try lookupCommit(commit)
        defer { git_commit_free(commitObject) }
        let tree = try lookupTree(ObjectID(git_commit_tree_id(commitObject).pointee))
        defer { git_tree_free(tree) }
        return try body(tree)
    }

    /// The parents of a commit, in order.
    public func parents(of commit: ObjectID) throws(GitError) -> [ObjectID] {
        let object = try lookupCommit(commit)
        defer { git_commit_free(object) }
        return (0..<git_commit_parentcount(object)).compactMap { git_commit_parent_id(object, $0).map { ObjectID($0.pointee) } }
    }

    /// The message of a commit, as written.
    public func message(ofCommit commit: ObjectID) throws(GitError) -> String {
        let object = try lookupCommit(commit)
        defer { git_commit_free(object) }
        return git_commit_message(object).map { String(cString: $0) } ?? ""
    }

    /// Whether the object database holds `object`.
    public func contains(_ object: ObjectID) throws(GitError) -> Bool {
        var odb: OpaquePointer?
        try check(git_repository_odb(&odb, handle), "open the object database")
        defer { git_odb_free(odb) }
        var oid = object.oid
        return git_odb_exists(odb, &oid) == 1
    }

    /// Whether `ancestor` is `commit` or one of its ancestors. Walks parents through the
    /// checked lookup (not `git_graph_descendant_of`, which reads commits unchecked) until it
    /// meets `ancestor`; a damaged commit on the way throws `GitError.damagedObject`.
    public func isAncestor(_ ancestor: ObjectID, of commit: ObjectID) throws(GitError) -> Bool {
        var seen: Set<ObjectID> = [commit]
        var pending = [commit]
        while let next = pending.popLast() {
            if next == ancestor { return true }
            let parents: [ObjectID]
            do throws(GitError) {
                parents = try self.parents(of: next)
            } catch {
                if case .notFound = error { continue }  // a parent beyond a shallow clone's edge
                throw error
            }
            pending += parents.filter { seen.insert($0).inserted }
        }
        return false
    }
}
