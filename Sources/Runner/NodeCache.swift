import BlobStore
import Foundation
import Workspace

/// What a cluster node keeps between its tasks (docs/FORMAT.md, "Node cache"): the folder
/// `gitml-node-cache` beside the task folders (the node's temporary directory), so that a
/// sweep's later tasks on a node fetch nothing an earlier one fetched and parse no table an
/// earlier one summarised.
///
/// - `blobs/` is a directory blob remote holding the objects of the code bundles and dataset
///   files tasks fetched. A task fetches from it as from any blob remote, every object decoded
///   and verified against its digest, so a damaged or altered entry is refused: the task then
///   fetches from its own blob remote (verified as well), and the node's copy is made again.
/// - `results/` and `executables/` are the content-keyed caches of a store's `cache/` folder
///   (results keyed by the digests of data, schema and contract; executable digests keyed by
///   device, inode, size and modification time), linked into each task's scratch repository.
///
/// Only a real directory of this user that no one else may read or write is used; anything
/// else at that path leaves every task to fetch for itself, as without a cache. Nothing is
/// evicted: removing the folder between sweeps gives its space back.
public struct NodeCache: Sendable {
    public let root: String

    public static let folderName = "gitml-node-cache"
    /// The content-keyed folders of `StoreLayout.cache` that tasks share.
    static let sharedCaches = ["results", "executables"]

    /// The node cache in `parent`, made if missing; nil when the path holds anything but this
    /// user's own directory of mode 0700 (a link, another user's folder, a file).
    public static func open(in parent: String) -> NodeCache? {
        let root = parent + "/" + folderName
        _ = mkdir(root, 0o700)
        var info = stat()
        guard lstat(root, &info) == 0, info.st_mode & S_IFMT == S_IFDIR, info.st_uid == getuid(), info.st_mode & 0o077 == 0 else {
            return nil
        }
        return NodeCache(root: root)
    }

    /// The node's copies of fetched objects, as a directory blob remote.
    var blobs: RemoteSpec { RemoteSpec(name: "node-cache", url: root + "/blobs") }

    /// Puts `files` in `project`'s store: from the node's copies when it holds them all intact,
    /// else from `remote`, then copies them to the node for the next task (a damaged copy is
    /// dropped first). Every object is verified against its digest either way. Returns whether
    /// the node's copies served them.
    @discardableResult
    public func fetch(_ files: [StoredFile], into project: Project, from remote: RemoteSpec) throws -> Bool {
        do {
            try project.download(files, from: blobs)
            return true
        } catch WorkspaceError.remote(.corruptObject) {
            _ = FileIO.removeTree(root + "/blobs")
        } catch {
            // Not (all) on the node yet: the task's blob remote has them.
        }
        try project.download(files, from: remote)
        try? project.upload(files, to: blobs, holder: "node cache")
        return false
    }

    /// Links the shared cache folders into `layout`'s `cache/` (a fresh scratch repository's);
    /// `detach` removes the links before the repository is removed.
    public func attach(to layout: StoreLayout) {
        for name in Self.sharedCaches {
            try? FileIO.makeDirectory(root + "/" + name)
            _ = symlink(root + "/" + name, layout.cache + "/" + name)
        }
    }

    /// Removes the links `attach` made (never what they point to).
    public static func detach(from layout: StoreLayout) {
        for name in sharedCaches {
            var info = stat()
            if lstat(layout.cache + "/" + name, &info) == 0, info.st_mode & S_IFMT == S_IFLNK { unlink(layout.cache + "/" + name) }
        }
    }
}
