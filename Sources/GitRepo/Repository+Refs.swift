import CGit2
import Foundation

extension Repository {
    /// The object a ref points at (peeled through symbolic refs), or nil when it does not exist.
    public func readRef(_ name: String) throws(GitError) -> ObjectID? {
        if let pending = pendingRefUpdates[name] { return pending }
        var oid = git_oid()
        let code = git_reference_name_to_id(&oid, handle, name)
        if code == GIT_ENOTFOUND.rawValue { return nil }
        try check(code, "read ref \(name)")
        return ObjectID(oid)
    }

    /// Refs whose names start with `prefix`, sorted by name, with their targets.
    public func refs(withPrefix prefix: String) throws(GitError) -> [(name: String, target: ObjectID)] {
        var iterator: OpaquePointer?
        try check(git_reference_iterator_glob_new(&iterator, handle, prefix + "*"), "list refs \(prefix)")
        defer { git_reference_iterator_free(iterator) }
        // A pending update replaces the stored ref of its name: one lookup per ref, so a push of
        // n refs is listed in O(n), not by a scan of the list per pending ref.
        let pending = pendingRefUpdates.filter { $0.key.hasPrefix(prefix) }
        var out: [(String, ObjectID)] = pending.compactMap { name, target in target.map { (name, $0) } }
        var ref: OpaquePointer?
        while git_reference_next(&ref, iterator) == 0 {
            defer { git_reference_free(ref) }
            let name = String(cString: git_reference_name(ref))
            guard pending[name] == nil else { continue }
            var resolved: OpaquePointer?
            guard git_reference_resolve(&resolved, ref) == 0 else { continue }
            defer { git_reference_free(resolved) }
            if let target = git_reference_target(resolved) { out.append((name, ObjectID(target.pointee))) }
        }
        return out.sorted { $0.0 < $1.0 }
    }

    /// Creates `name` pointing at `target`; fails with `.refExists` if it already exists.
    /// Atomic: of two processes creating the same ref, exactly one succeeds (the other waits
    /// for the first's lock file, up to 5 s, then sees the ref). libgit2 checks a plain create's
    /// "does not exist yet" before taking the ref's lock, so a creator that checked while another
    /// held the lock would overwrite its ref; expecting the zero id makes libgit2 check again
    /// under the lock.
    public func createRef(_ name: String, target: ObjectID, message: String) throws(GitError) {
        var oid = target.oid
        var absent = git_oid()
        var ref: OpaquePointer?
        var code = git_reference_create_matching(&ref, handle, name, &oid, 0, &absent, message)
        // Another process holds the ref's lock file while it creates the same ref: wait for it
        // to finish (then the ref exists, or the name is free again) instead of failing.
        var attempts = 0
        while code == GIT_ELOCKED.rawValue && attempts < 500 {
            usleep(10_000)
            attempts += 1
            code = git_reference_create_matching(&ref, handle, name, &oid, 0, &absent, message)
        }
        if code == GIT_EEXISTS.rawValue || code == GIT_EMODIFIED.rawValue { throw .refExists(ref: name) }
        try check(code, "create ref \(name)")
        git_reference_free(ref)
    }

    /// Moves `name` from `expected` to `target` (compare-and-swap); fails with `.refChanged`
    /// when another process moved it first.
    public func updateRef(_ name: String, to target: ObjectID, expected: ObjectID, message: String) throws(GitError) {
        var oid = target.oid
        var old = expected.oid
        var ref: OpaquePointer?
        let code = git_reference_create_matching(&ref, handle, name, &oid, 1, &old, message)
        if code == GIT_EMODIFIED.rawValue || code == GIT_ENOTFOUND.rawValue || code == GIT_ELOCKED.rawValue {
            throw .refChanged(ref: name)
        }
        try check(code, "update ref \(name)")
        git_reference_free(ref)
    }

    /// Deletes `name` if it still points at `expected` (compare-and-swap).
    public func deleteRef(_ name: String, expected: ObjectID) throws(GitError) {
        var ref: OpaquePointer?
        guard git_reference_lookup(&ref, handle, name) == 0 else { throw .refChanged(ref: name) }
        defer { git_reference_free(ref) }
        guard let target = git_reference_target(ref), ObjectID(target.pointee) == expected else { throw .refChanged(ref: name) }
        try check(git_reference_delete(ref), "delete ref \(name)")
    }

    /// Every commit a GC must keep alive: targets of all refs (branches, tags, remote-tracking
    /// refs, `refs/ml/*`, stash), every reflog entry of them and of HEAD, and each worktree's HEAD.
    public func rootCommits() throws(GitError) -> [ObjectID] {
        var roots = Set<ObjectID>()
        let all = try refs(withPrefix: "refs/")
        for (name, target) in all {
            roots.insert(target)
            roots.formUnion(reflog(name))
        }
        if let head = try? readRef("HEAD") { roots.insert(head) }
        roots.formUnion(reflog("HEAD"))
        roots.formUnion(worktreeHeads())
        return roots.sorted { $0.hex < $1.hex }
    }

    private func reflog(_ name: String) -> [ObjectID] {
        var log: OpaquePointer?
        guard git_reflog_read(&log, handle, name) == 0 else { return [] }
        defer { git_reflog_free(log) }
        return (0..<git_reflog_entrycount(log)).compactMap { i in
            guard let entry = git_reflog_entry_byindex(log, i) else { return nil }
            return ObjectID(git_reflog_entry_id_new(entry).pointee)
        }
    }

    private func worktreeHeads() -> [ObjectID] {
        var names = git_strarray()
        guard git_worktree_list(&names, handle) == 0 else { return [] }
        defer { git_strarray_dispose(&names) }
        return (0..<names.count).compactMap { i -> ObjectID? in
            var worktree: OpaquePointer?
            guard git_worktree_lookup(&worktree, handle, names.strings[i]) == 0 else { return nil }
            defer { git_worktree_free(worktree) }
            var repo: OpaquePointer?
            guard git_repository_open_from_worktree(&repo, worktree) == 0 else { return nil }
            defer { git_repository_free(repo) }
            var oid = git_oid()
            guard git_reference_name_to_id(&oid, repo, "HEAD") == 0 else { return nil }
            return ObjectID(oid)
        }
    }
}
