import CLazyLibraries

/// libcurl, which URLSession sends every HTTP request through (S3 blob remotes and the AWS
/// credential sources), loaded on the first request instead of at start-up (Sources/CLazyLibraries):
/// a command that sends no request never loads it nor the libraries only it needs. Without
/// libcurl the first request stops the process with exit 3 and what to install.
public enum HTTPLibrary {
    /// libcurl's version, loading it now; nil when it cannot be loaded (`problem` says why).
    public static var version: String? { gitml_curl_version().map { String(cString: $0) } }

    /// Why libcurl cannot be loaded, or nil when it can.
    public static var problem: String? { gitml_curl_load_problem().map { String(cString: $0) } }
}
