import CLazyLibraries

/// The compression libraries the table readers open on first use in the release (libsnappy for
/// Parquet's SNAPPY pages, ISA-L for gzip text, libbz2 for bzip2 text; Sources/CLazyLibraries),
/// so that `git ml doctor` can say which of them cannot be loaded before a read stops on it.
public enum CodecLibraries {
    /// One library: its name, what cannot be read without it, and how to install it.
    public struct Library: Sendable {
        public let name: String
        public let neededFor: String
        public let install: String
        let loadProblem: @Sendable () -> UnsafePointer<CChar>?

        /// Why the library cannot be loaded (opening it if it is not open yet); nil when it is loaded.
        public var problem: String? { loadProblem().map { String(cString: $0) } }
    }

    public static let all: [Library] = [
        Library(name: "libsnappy", neededFor: "Snappy-compressed Parquet", install: "apt-get install libsnappy1v5",
                loadProblem: { gitml_snappy_load_problem() }),
        Library(name: "ISA-L's libisal", neededFor: "gzip-compressed text", install: "apt-get install libisal2",
                loadProblem: { gitml_isal_load_problem() }),
        Library(name: "libbz2", neededFor: "bzip2-compressed text", install: "apt-get install libbz2-1.0",
                loadProblem: { gitml_bzip2_load_problem() }),
    ]
}
