/// What went wrong talking to a blob remote, naming the remote and what the user should do.
public enum RemoteError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A remote URL GitML cannot use.
    case invalidURL(String, reason: String)
    /// No credentials were found for an S3 remote (no source of the AWS chain is configured).
    case missingCredentials(remote: String)
    /// The AWS credential source the chain chose failed (`AWSCredentialError.failed`).
    case credentials(remote: String, source: String, reason: String)
    /// The server refused the credentials or their signature.
    case accessDenied(remote: String, code: String, message: String)
    /// The key is not on the remote.
    case notFound(remote: String, key: String)
    /// The server answered with an error status GitML does not retry (or retried too often).
    case http(remote: String, key: String, status: Int, code: String, message: String)
    /// The connection failed (after retries).
    case connection(remote: String, detail: String)
    /// A local or shared-directory file operation failed.
    case io(remote: String, key: String, message: String)
    /// Bytes from the remote do not match their index or their digest.
    case corruptObject(remote: String, key: String, detail: String)
    /// Objects a pull needs that no pack on the remote holds.
    case missingOnRemote(remote: String, objects: [Digest])
    /// Objects a push needs that the local store does not hold.
    case missingLocally(objects: [Digest])
    /// Another client holds the remote's lock; `stale` when its holder has probably crashed
    /// (`RemoteLockInfo.isStale`), so `git ml gc --remote R --break-lock` may remove it.
    case locked(remote: String, lock: RemoteLockInfo, stale: Bool)
    /// A remote GC cannot prove it still holds its exclusive lock, so it stopped before deleting
    /// anything more (what it deleted before was unreachable while it held the lock).
    case lockLost(remote: String, key: String, detail: String)
    /// The bucket of an S3 remote does not exist at its endpoint.
    case bucketMissing(remote: String, bucket: String, endpoint: String)
    /// A pack vanished while it was being read, again after the indexes were listed anew (a remote
    /// GC rewrote or deleted it meanwhile); nothing damaged was stored, and a retry reads the new packs.
    case changedDuringRead(remote: String, key: String)

    public var description: String {
        switch self {
        case .invalidURL(let url, let reason):
            return "remote URL \(url) is not usable: \(reason) (use file:///path, a plain path, or s3://bucket/prefix)"
        case .missingCredentials(let remote):
            return "remote \(remote): \(AWSCredentialError.notFound)"
        case .credentials(let remote, let source, let reason):
            return "remote \(remote): \(AWSCredentialError.failed(source: source, reason: reason))"
        case .accessDenied(let remote, let code, let message):
            return "remote \(remote) refused the credentials (\(code): \(message)); check the credentials the AWS "
                + "chain found (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, else AWS_PROFILE's "
                + "profile in ~/.aws/config or ~/.aws/credentials, else the container or instance role), "
                + "and the remote's region and endpoint"
        case .notFound(let remote, let key): return "remote \(remote) has no object \(key)"
        case .http(let remote, let key, let status, let code, let message):
            return "remote \(remote): \(key): HTTP \(status) \(code) \(message)"
        case .connection(let remote, let detail):
            return "remote \(remote) cannot be reached: \(detail) (check the endpoint and the network, then retry)"
        case .io(let remote, let key, let message): return "remote \(remote): \(key): \(message)"
        case .corruptObject(let remote, let key, let detail):
            return "remote \(remote): \(key) is damaged: \(detail) (nothing was stored locally from it; "
                + "push the objects again from a clone that has them)"
        case .missingOnRemote(let remote, let objects):
            return "remote \(remote) lacks \(objects.count) needed object(s), first \(objects[0]) "
                + "(run `git ml push` from the clone that has them, then retry)"
        case .missingLocally(let objects):
            return "the local store lacks \(objects.count) object(s) to push, first \(objects[0]) (run `git ml fsck`)"
        case .locked(let remote, let lock, let stale):
            let held = "remote \(remote) is locked by \(lock.summary) (\(lock.key))"
            guard stale else { return held + "; retry when it finishes" }
            return held + "; the lock is stale (not refreshed for over \(RemoteLockInfo.describe(age: RemoteLock.staleAfter)), "
                + "or its process on this host is gone), so its holder probably crashed: remove stale locks with "
                + "`git ml gc --remote \(remote) --break-lock`, then retry"
        case .lockLost(let remote, let key, let detail):
            return "remote \(remote): gc lost its lock \(key): \(detail); it stopped before deleting anything more "
                + "(nothing live was removed); run `git ml gc --remote \(remote)` again"
        case .bucketMissing(let remote, let bucket, let endpoint):
            return "remote \(remote): bucket \(bucket) does not exist at \(endpoint) (create it, or fix the bucket or "
                + "endpoint in ml/config.yaml)"
        case .changedDuringRead(let remote, let key):
            return "remote \(remote) changed during the transfer: \(key) vanished twice (a remote gc is probably "
                + "running); nothing damaged was stored, retry when it finishes"
        }
    }
}

extension RemoteError {
    /// The remote error for a credential chain's failure on remote `remote`.
    init(_ error: AWSCredentialError, remote: String) {
        switch error {
        case .notFound: self = .missingCredentials(remote: remote)
        case .failed(let source, let reason): self = .credentials(remote: remote, source: source, reason: reason)
        }
    }
}
