import CGit2

extension Repository {
    /// A string from the repository's configuration (all levels), or nil.
    public func configString(_ key: String) throws(GitError) -> String? {
        var config: OpaquePointer?
        try check(git_repository_config_snapshot(&config, handle), "read config")
        defer { git_config_free(config) }
        var value: UnsafePointer<CChar>?
        let code = git_config_get_string(&value, config, key)
        if code == GIT_ENOTFOUND.rawValue { return nil }
        try check(code, "read config \(key)")
        return value.map { String(cString: $0) }
    }

    /// All values of a multi-valued key in the repository's own config file.
    public func configValues(_ key: String) throws(GitError) -> [String] {
        var config: OpaquePointer?
        try check(git_repository_config_snapshot(&config, handle), "read config")
        defer { git_config_free(config) }
        var iterator: OpaquePointer?
        guard git_config_multivar_iterator_new(&iterator, config, key, nil) == 0 else { return [] }
        defer { git_config_iterator_free(iterator) }
        var values: [String] = []
        var entry: UnsafeMutablePointer<git_config_entry>?
        while git_config_next(&entry, iterator) == 0, let e = entry { values.append(String(cString: e.pointee.value)) }
        return values
    }

    /// Sets a single-valued key in the repository's own config file (`.git/config`).
    public func setConfig(_ key: String, _ value: String) throws(GitError) {
        var config: OpaquePointer?
        try check(git_repository_config(&config, handle), "open config")
        defer { git_config_free(config) }
        try check(git_config_set_string(config, key, value), "set config \(key)")
    }

    /// Adds `value` to a multi-valued key unless it is already there.
    public func addConfigValue(_ key: String, _ value: String) throws(GitError) {
        guard try !configValues(key).contains(value) else { return }
        var config: OpaquePointer?
        try check(git_repository_config(&config, handle), "open config")
        defer { git_config_free(config) }
        // A regexp that matches nothing existing appends a new value.
        try check(git_config_set_multivar(config, key, "^$", value), "add config \(key)")
    }

    /// Removes every value of a multi-valued key equal to `value` (nothing when there is none).
    public func removeConfigValue(_ key: String, _ value: String) throws(GitError) {
        guard try configValues(key).contains(value) else { return }
        var config: OpaquePointer?
        try check(git_repository_config(&config, handle), "open config")
        defer { git_config_free(config) }
        let special = Set("\\^$.|?*+()[]{}")
        let pattern = "^" + value.map { special.contains($0) ? "\\\($0)" : String($0) }.joined() + "$"
        try check(git_config_delete_multivar(config, key, pattern), "remove config \(key)")
    }

    /// The names of the configured remotes.
    public func remoteNames() throws(GitError) -> [String] {
        var names = git_strarray()
        try check(git_remote_list(&names, handle), "list remotes")
        defer { git_strarray_dispose(&names) }
        return (0..<names.count).map { String(cString: names.strings[$0]!) }
    }
}
