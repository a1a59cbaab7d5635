import Foundation
import Platform

/// A `LaunchSpec` checked and made ready for `posix_spawn`: the executable resolved, the
/// working directory checked and the redirection files opened, so that every user mistake is
/// reported precisely before anything runs. `close()` releases the files after the spawn.
struct PreparedLaunch {
    let executablePath: String
    let spec: LaunchSpec
    /// (file descriptor opened here, standard stream number it becomes in the child).
    private let redirections: [(fd: Int32, target: Int32)]

    init(_ spec: LaunchSpec) throws(MeteringError) {
        guard let name = spec.arguments.first, !name.isEmpty else { throw .emptyCommand }
        if let directory = spec.workingDirectory {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw .workingDirectoryMissing(path: directory)
            }
        }
        executablePath = try Self.resolveExecutable(name, spec: spec)
        self.spec = spec
        var opened: [(fd: Int32, target: Int32)] = []
        for (target, path, flags) in Self.redirectionRequests(spec) {
            let fd = open(path, flags | O_CLOEXEC, 0o644)
            guard fd >= 0 else {
                let code = errno
                for file in opened { Glibc.close(file.fd) }
                throw .cannotOpenRedirection(path: path, errno: code)
            }
            opened.append((fd, target))
        }
        redirections = opened
    }

    /// Starts the child in a new process group (its id is the child's pid), with every signal
    /// at its default action and none blocked, whatever this process ignores or blocks.
    func spawn() throws(MeteringError) -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for (fd, target) in redirections { posix_spawn_file_actions_adddup2(&actions, fd, target) }
        if let directory = spec.workingDirectory {
            guard let addChdir = Self.addChdirAction else { throw .launchFailed(executable: executablePath, errno: ENOSYS) }
            let status = addChdir(&actions, directory)
            guard status == 0 else { throw .launchFailed(executable: executablePath, errno: status) }
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv = spec.arguments.map { strdup($0) } + [nil]
        let envp = spec.environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in argv + envp { free(pointer) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, executablePath, &actions, &attributes, argv, envp)
        guard status == 0 else { throw .launchFailed(executable: executablePath, errno: status) }
        return pid
    }

    /// glibc's `posix_spawn_file_actions_addchdir_np` (glibc ≥ 2.29, musl ≥ 1.1.24), looked up at
    /// run time because Swift's Glibc module does not import the `_np` (non-portable) functions.
    private static let addChdirAction: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32)? = {
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "posix_spawn_file_actions_addchdir_np") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32).self)
    }()

    /// Closes the redirection files this process opened (the child keeps its copies).
    func close() {
        for (fd, _) in redirections { Glibc.close(fd) }
    }

    private static func redirectionRequests(_ spec: LaunchSpec) -> [(Int32, String, Int32)] {
        var requests: [(Int32, String, Int32)] = []
        switch spec.standardInput {
        case .inherit: break
        case .nullDevice: requests.append((STDIN_FILENO, "/dev/null", O_RDONLY))
        case .file(let path): requests.append((STDIN_FILENO, path, O_RDONLY))
        }
        for (target, destination) in [(STDOUT_FILENO, spec.standardOutput), (STDERR_FILENO, spec.standardError)] {
            switch destination {
            case .inherit: break
            case .nullDevice: requests.append((target, "/dev/null", O_WRONLY))
            case .file(let path): requests.append((target, path, O_WRONLY | O_CREAT | O_TRUNC))
            }
        }
        return requests
    }

    /// The path `posix_spawn` should run: `name` itself when it contains `/` (relative to the
    /// working directory, as the child will see it), else the first executable match on PATH.
    private static func resolveExecutable(_ name: String, spec: LaunchSpec) throws(MeteringError) -> String {
        if name.contains("/") {
            let resolved = name.hasPrefix("/") || spec.workingDirectory == nil ? name : "\(spec.workingDirectory!)/\(name)"
            guard isExecutableFile(resolved) else { throw .executableNotFound(name: name, searchPath: resolved) }
            return resolved
        }
        let searchPath = spec.environment["PATH"] ?? ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in searchPath.split(separator: ":", omittingEmptySubsequences: false) {
            let base = directory.isEmpty ? (spec.workingDirectory ?? ".") : String(directory)
            let candidate = "\(base)/\(name)"
            if isExecutableFile(candidate) { return candidate }
        }
        throw .executableNotFound(name: name, searchPath: searchPath)
    }

    private static func isExecutableFile(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
            && access(path, X_OK) == 0
    }
}
