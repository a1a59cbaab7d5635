import Foundation

/// Credentials printed by a profile's `credential_process` command: JSON with `"Version": 1`,
/// `AccessKeyId`, `SecretAccessKey`, optionally `SessionToken` and `Expiration`. The command
/// is split into arguments at spaces, a double-quoted part kept whole (the AWS CLI's rules), and
/// run directly (no shell) with the chain's environment. Its output is never printed: errors
/// give its exit status and the last line of its standard error.
struct CredentialProcessProvider: AWSCredentialProvider {
    let command: String
    let environment: [String: String]
    let source: String

    /// `command` split as the AWS CLI documents: whitespace separates arguments, double quotes
    /// group an argument that contains spaces (the quotes themselves are dropped).
    static func arguments(_ command: String) -> [String] {
        var arguments: [String] = []
        var current = ""
        var quoted = false
        var started = false
        for character in command {
            if character == "\"" {
                quoted.toggle()
                started = true
            } else if character.isWhitespace && !quoted {
                if started { arguments.append(current) }
                current = ""
                started = false
            } else {
                current.append(character)
                started = true
            }
        }
        if started { arguments.append(current) }
        return arguments
    }

    func fetch() throws -> AWSCredentials {
        let arguments = Self.arguments(command)
        guard let program = arguments.first, let executable = resolve(program) else {
            throw AWSCredentialError.failed(source: source,
                reason: "credential_process names no program found on PATH (\(arguments.first ?? "empty"))")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = Array(arguments.dropFirst())
        process.environment = environment
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch {
            throw AWSCredentialError.failed(source: source, reason: "cannot run \(executable): \(error.localizedDescription)")
        }
        // Standard error is drained on another thread so a chatty command cannot fill its pipe and stall.
        let errorText = Tally(Data())
        let drained = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            let data = errors.fileHandleForReading.readDataToEndOfFile()
            errorText.update { $0 = data }
            drained.signal()
        }
        let stdout = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        drained.wait()
        guard process.terminationStatus == 0 else {
            let lastLine = String(decoding: errorText.value, as: UTF8.self).split(whereSeparator: \.isNewline).last
                .map { String($0.prefix(300)) } ?? ""
            throw AWSCredentialError.failed(source: source, reason: "\(executable) exited with status "
                + "\(process.terminationStatus)" + (lastLine.isEmpty ? "" : ": \(lastLine)"))
        }
        let version = (try? JSONSerialization.jsonObject(with: stdout) as? [String: Any])?["Version"] as? Int
        guard version == 1, let credentials = AWSCredentials.fromJSON(stdout) else {
            throw AWSCredentialError.failed(source: source, reason: "its output is not the JSON credential_process "
                + "format (\"Version\": 1 with AccessKeyId and SecretAccessKey)")
        }
        return credentials
    }

    /// `program` itself when it contains a slash, else the first executable of that name on PATH.
    private func resolve(_ program: String) -> String? {
        if program.contains("/") { return FileManager.default.isExecutableFile(atPath: program) ? program : nil }
        return (environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":")
            .map { "\($0)/\(program)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
