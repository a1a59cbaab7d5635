import CZstd

/// The zstd library as the store uses it: one frame per chunk, optionally compressed against a
/// reference chunk (a delta). Only `BlobStore` touches zstd.
public enum Zstd {
    /// The linked libzstd version, e.g. "1.5.4".
    public static var versionString: String { String(cString: ZSTD_versionString()) }
}
