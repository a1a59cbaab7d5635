import Foundation
import Platform

/// Runs a program found on `PATH` (`git`, `ssh-keygen`) and waits for it.
///
/// Processes are started with `posix_spawnp` and reaped with `waitpid`: Foundation's
/// `Process.waitUntilExit` polls a run loop on Linux and added up to ~50 ms to every git call
/// (measured: `git mlcommit` spent 100 of its 150 ms waiting).
enum Subprocess {
    /// Why a program could not be started.
    struct LaunchError: Error {
        let reason: String
    }

    /// Runs `argv` (program first) with `environment` (default: this process's). With `capture`,
    /// stdout and stderr are returned; else the child shares this process's streams.
    /// `standardInput`: a file the child reads as its stdin (default: this process's stdin).
    /// Returns the exit status (128 + signal when a signal ended it).
    static func run(_ argv: [String], environment: [String: String]?, capture: Bool,
                    standardInput: String? = nil) throws(LaunchError) -> (status: Int32, stdout: [UInt8], stderr: [UInt8]) {
        var outPipe: [Int32] = [-1, -1], errPipe: [Int32] = [-1, -1]
        if capture {
            guard pipe(&outPipe) == 0, pipe(&errPipe) == 0 else {
                throw LaunchError(reason: "cannot create a pipe: \(String(cString: strerror(errno)))")
            }
        }
        // Only the child's 0, 1 and 2 may stay open in it (dup2 clears close-on-exec on those).
        for fd in outPipe + errPipe where fd >= 0 { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let standardInput { posix_spawn_file_actions_addopen(&actions, 0, standardInput, O_RDONLY, 0) }
        if capture {
            posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
            posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        }
        let env = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        var pid: pid_t = 0
        let code = withCStrings(argv) { cArgv in
            withCStrings(env) { cEnv in posix_spawnp(&pid, argv[0], &actions, nil, cArgv, cEnv) }
        }
        if capture {
            close(outPipe[1])
            close(errPipe[1])
        }
        guard code == 0 else {
            if capture { close(outPipe[0]); close(errPipe[0]) }
            throw LaunchError(reason: "cannot run \(argv[0]): \(String(cString: strerror(code)))")
        }
        var stdout: [UInt8] = [], stderr: [UInt8] = []
        if capture {
            drain(outPipe[0], into: &stdout, errPipe[0], into: &stderr)
            close(outPipe[0])
            close(errPipe[0])
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let exitStatus = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return (exitStatus, stdout, stderr)
    }

    /// Reads both pipes until both reach end of file (poll, so neither can fill and block the child).
    private static func drain(_ a: Int32, into first: inout [UInt8], _ b: Int32, into second: inout [UInt8]) {
        var fds = [pollfd(fd: a, events: Int16(POLLIN), revents: 0), pollfd(fd: b, events: Int16(POLLIN), revents: 0)]
        var buffer = [UInt8](repeating: 0, count: 65536)
        var open = 2
        while open > 0 {
            guard poll(&fds, 2, -1) >= 0 || errno == EINTR else { return }
            for i in 0..<2 where fds[i].fd >= 0 && fds[i].revents != 0 {
                let n = buffer.withUnsafeMutableBytes { read(fds[i].fd, $0.baseAddress, $0.count) }
                if n > 0 {
                    if i == 0 { first += buffer[0..<n] } else { second += buffer[0..<n] }
                } else if n == 0 || errno != EINTR {
                    fds[i].fd = -1
                    open -= 1
                }
            }
        }
    }

    /// Calls `body` with a NULL-terminated C array of `strings`.
    private static func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
        var pointers = strings.map { strdup($0) }
        pointers.append(nil)
        defer { pointers.forEach { free($0) } }
        return body(pointers)
    }
}
