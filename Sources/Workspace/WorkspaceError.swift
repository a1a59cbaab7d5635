import BlobStore
import GitRepo
import Records

/// A user-facing failure in a GitML repository: what is wrong and what to do about it.
public enum WorkspaceError: Error, CustomStringConvertible {
    case notInitialized(root: String)
    case bareRepository
    case pathOutsideRepository(String)
    case pathNotFound(String)
    case invalidDataPath(String, reason: String)
    case invalidName(String)
    case unknownDataset(String)
    case unknownVersion(String)
    case unknownRun(String)
    case ambiguousRun(String, matches: [String])
    case ambiguousDigest(String)
    case notInLock(String)
    /// An entry of the working tree's `ml/lock.json` contradicts the records here.
    case lockEntryDisagrees(name: String, reason: String)
    case purged(String)
    case lockConflict([String])
    case notTabular(String)
    case noContract(String)
    case noLeakagePolicy(String)
    case unknownRemote(String)
    case noDefaultRemote
    case noSigningKey
    case unknownGitRemote(String)
    case conflictingVersion(label: String, local: String, remote: String)
    /// The git remote's refs moved while `git ml push` ran, or since the last fetch.
    case pushRaced(gitRemote: String, detail: String)
    case remote(RemoteError)
    case store(StoreError)
    case git(GitError)
    case record(RecordError)

    public var description: String {
        switch self {
        case .notInitialized(let root): return "GitML is not set up in \(root): run `git ml init`"
        case .bareRepository: return "this is a bare repository: run the command in a clone with a working tree"
        case .pathOutsideRepository(let p): return "\(p) is outside the repository: move the data inside it first"
        case .pathNotFound(let p): return "\(p) does not exist"
        case .invalidDataPath(let p, let reason):
            return "\(p.debugDescription) cannot be a dataset path: it \(reason); rename it (every clone must be able to check it out safely)"
        case .invalidName(let n):
            return "invalid dataset name '\(n)': use letters, digits, '.', '_' and '-' (start with a letter or digit)"
        case .unknownDataset(let n): return "no dataset named '\(n)' (list them with `git ml data status`)"
        case .unknownVersion(let v): return "no version \(v) (list versions with `git ml data log <name>`)"
        case .unknownRun(let prefix): return "no run matches '\(prefix)' (list runs with `git ml log`)"
        case .ambiguousRun(let prefix, let matches):
            return "'\(prefix)' matches several runs (\(matches.prefix(5).joined(separator: ", "))): give more digits"
        case .ambiguousDigest(let d): return "\(d) matches several versions: give more digest characters"
        case .notInLock(let n): return "'\(n)' is not in ml/lock.json: name a version, as in \(n)@v1"
        case .lockEntryDisagrees(let name, let reason):
            return "ml/lock.json entry \(name) \(reason): the lock is damaged or was edited; restore it (`git checkout -- ml/lock.json`) or rewrite the entry from a record (`git ml data checkout \(name)@vN`)"
        case .purged(let v): return "\(v) was purged: its bytes were deliberately removed (see `git ml data show \(v)`)"
        case .lockConflict(let keys): return "ml/lock.json conflicts on \(keys.joined(separator: ", ")): resolve them by hand"
        case .notTabular(let v): return "\(v) is not a table: GitML reads a single CSV, TSV or JSON Lines file (maybe gzip, zstd or bzip2 compressed), a Parquet file, or a directory of Parquet files"
        case .unknownRemote(let name): return "no blob remote named '\(name)' in ml/config.yaml (add one with `git ml remote add`)"
        case .noSigningKey: return "no SSH key to sign with: give one with --key PATH, or set git config user.signingkey"
        case .noDefaultRemote: return "no default blob remote: name one, or mark one with `git ml remote add NAME URL --default`"
        case .unknownGitRemote(let name): return "no git remote named '\(name)' (see `git remote -v`)"
        case .conflictingVersion(let label, let local, let remote):
            return "\(label) means \(local) here but \(remote) on the remote: the same label for different data; rename one before publishing"
        case .pushRaced(let git, let detail):
            return "\(git) moved on: another clone pushed first or at the same moment (the blobs are uploaded, nothing is lost); "
                + "retry: `git pull` (ml/lock.json merges itself), then `git ml push` again. git said: \(detail)"
        case .remote(let e): return "\(e)"
        case .noLeakagePolicy(let name):
            return "the contract of \(name) has no leakage block: add one (entityKey, timeColumn, label, limits) to check train/eval leakage"
        case .noContract(let name):
            return "dataset \(name) has no contract: write ml/contracts/\(name).yaml (start from templates/ml/contracts/example.yaml) or pass --contract"
        case .store(let e): return "\(e)"
        case .git(let e): return "\(e)"
        case .record(let e): return "\(e)"
        }
    }
}

/// Runs `body`, wrapping lower-level errors into `WorkspaceError`.
@discardableResult
func wrapping<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let e as WorkspaceError {
        throw e
    } catch let e as StoreError {
        throw WorkspaceError.store(e)
    } catch let e as GitError {
        throw WorkspaceError.git(e)
    } catch let e as RecordError {
        throw WorkspaceError.record(e)
    } catch let e as RemoteError {
        throw WorkspaceError.remote(e)
    }
}
