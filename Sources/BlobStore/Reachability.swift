/// The objects that stored files need: their manifest nodes, their chunks, and every delta
/// base those chunks decode against, transitively. One function for gc, purge, fsck and
/// (later) pushes to remotes, so they never disagree about what is alive.
public struct Reachability: Sendable {
    /// Every object needed, delta bases included.
    public var objects: Set<Digest> = []
    /// Objects named by manifests or records directly (not only as delta bases).
    public var direct: Set<Digest> = []
    /// Objects that are needed but not in the store, with who needs them.
    public var missing: [(object: Digest, neededBy: String)] = []

    public init() {}
}

extension ObjectStore {
    /// The closure of `files`: manifests, chunks and delta bases. Damaged manifests are
    /// reported as missing rather than thrown, so fsck can name every problem at once.
    public func reachable(from files: [(file: StoredFile, owner: String)]) -> Reachability {
        var result = Reachability()
        func addChunk(_ digest: Digest, owner: String, direct: Bool) {
            if direct { result.direct.insert(digest) }
            var current: Digest? = digest
            while let d = current, result.objects.insert(d).inserted {
                guard let e = entry(d) else {
                    result.missing.append((d, owner))
                    return
                }
                current = e.base
            }
        }
        for (file, owner) in files {
            guard let manifest = file.manifest else {
                addChunk(file.digest, owner: owner, direct: true)
                continue
            }
            do {
                try walkManifest(manifest) { node, digest in
                    addChunk(digest, owner: owner, direct: true)
                    if node.level == 0 { for e in node.entries { addChunk(e.digest, owner: owner, direct: true) } }
                }
            } catch {
                if !contains(manifest) { result.missing.append((manifest, owner)) } else {
                    result.missing.append((manifest, "\(owner) (damaged manifest: \(error))"))
                }
            }
        }
        return result
    }
}
