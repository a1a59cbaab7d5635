import CGit2
import Foundation

extension Repository {
    /// The commit a revision names (peeling tags): a ref name as git expands it (`main`,
    /// `origin/main`, `refs/tags/v1`, `HEAD`, `@`), a full or abbreviated commit id, each
    /// followed by any of `~N`, `^N`, `^`, `~`, `^{commit}`, `^{}`.
    ///
    /// Resolved here, not by `git_revparse`, so that every commit on the way is read through the
    /// loose-object check: libgit2 1.5 overflows a heap buffer or loops forever on a damaged
    /// loose commit (see `LooseObjectCheck`). A damaged commit is `GitError.damagedObject`.
    /// Other syntax (`@{…}`, `:/text`, `^{/regex}`, `rev:path`) is refused as not understood.
    public func resolveCommit(_ revision: String) throws(GitError) -> ObjectID {
        let start = revision.firstIndex { $0 == "~" || $0 == "^" } ?? revision.endIndex
        let name = String(revision[..<start])
        guard !name.isEmpty, !name.contains("@{"), !name.contains(":") else {
            throw .notFound("revision \(revision) (GitML understands ref names and commit ids followed by ~N or ^N)")
        }
        guard let base = try objectNamed(name == "@" ? "HEAD" : name) else { throw .notFound("revision \(revision)") }
        var commit = try commitPeeled(from: base, revision: revision)
        var rest = revision[start...]
        while let op = rest.first {
            rest = rest.dropFirst()
            if op == "^", rest.first == "{" {
                guard let close = rest.firstIndex(of: "}"), ["", "commit"].contains(rest[rest.index(after: rest.startIndex)..<close]) else {
                    throw .notFound("revision \(revision) (GitML peels only to ^{commit} and ^{})")
                }
                rest = rest[rest.index(after: close)...]
                continue
            }
            let digits = rest.prefix { $0.isASCII && $0.isNumber }
            rest = rest.dropFirst(digits.count)
            guard let count = digits.isEmpty ? 1 : Int(digits) else { throw .notFound("revision \(revision)") }
            if op == "~" {
                for _ in 0..<count {
                    guard let parent = try parents(of: commit).first else { throw .notFound("revision \(revision)") }
                    commit = parent
                }
            } else if count > 0 {
                let parents = try parents(of: commit)
                guard count <= parents.count else { throw .notFound("revision \(revision)") }
                commit = parents[count - 1]
            }
        }
        return try commitPeeled(from: commit, revision: revision)  // the last step's commit, read through the check too
    }

    /// The object `name` names without reading any object: a full id, a ref as git expands a
    /// short name, or an unambiguous abbreviated id; nil when it names none.
    private func objectNamed(_ name: String) throws(GitError) -> ObjectID? {
        if name.count == 40, let id = ObjectID(hex: name) { return id }
        var ref: OpaquePointer?
        if git_reference_dwim(&ref, handle, name) == 0 {
            defer { git_reference_free(ref) }
            var resolved: OpaquePointer?
            guard git_reference_resolve(&resolved, ref) == 0 else { return nil }
            defer { git_reference_free(resolved) }
            return git_reference_target(resolved).map { ObjectID($0.pointee) }
        }
        guard (4..<40).contains(name.count), name.allSatisfy(\.isHexDigit) else { return nil }
        var short = git_oid(), full = git_oid()
        guard git_oid_fromstrn(&short, name, name.utf8.count) == 0 else { return nil }
        var odb: OpaquePointer?
        try check(git_repository_odb(&odb, handle), "open the object database")
        defer { git_odb_free(odb) }
        let code = git_odb_exists_prefix(&full, odb, &short, name.utf8.count)
        if code == GIT_EAMBIGUOUS.rawValue { throw .notFound("revision \(name) (more than one object id starts with it)") }
        return code == 0 ? ObjectID(full) : nil
    }

    /// The commit `id` is or tags, read through the check; throws when it names none.
    private func commitPeeled(from id: ObjectID, revision: String) throws(GitError) -> ObjectID {
        guard let commit = try peeledCommit(id) else { throw .notFound("commit for \(revision)") }
        return commit
    }
}
