import Foundation

/// SSH signatures over bytes, made and checked by OpenSSH's `ssh-keygen -Y` — the same program
/// and formats git uses for `gpg.format=ssh` — so a key a team already signs commits with can
/// sign GitML's evidence, and an ssh-keygen ALLOWED SIGNERS file says whose signatures count.
///
/// A namespace (`gitml-attestation`, `gitml-promotion`) is part of what is signed: a signature
/// made for one purpose never verifies for another. Every failure is an `SSHSignatureError`;
/// `verify` returns only when the signature is good and its key is an allowed signer's.
public enum SSHSignature {
    /// Signs `bytes` with the private key at `key` (or a public key whose private half is in
    /// ssh-agent) under `namespace`; returns the armored `-----BEGIN SSH SIGNATURE-----` text.
    public static func sign(_ bytes: [UInt8], namespace: String, key: String) throws(SSHSignatureError) -> String {
        try withScratch { directory throws(SSHSignatureError) in
            let message = directory + "/message"
            try write(bytes, to: message)
            try keygen(["-Y", "sign", "-f", key, "-n", namespace, message], input: nil, failure: { .signingFailed(key: key, detail: $0) })
            guard let armored = try? String(contentsOfFile: message + ".sig", encoding: .utf8) else {
                throw .signingFailed(key: key, detail: "ssh-keygen wrote no signature")
            }
            return armored
        }
    }

    /// Checks that `signature` (armored) signs `bytes` under `namespace` with a key listed in
    /// the ALLOWED SIGNERS file `allowedSigners`; returns the signer's principal.
    public static func verify(_ bytes: [UInt8], signature: String, namespace: String,
                              allowedSigners: String) throws(SSHSignatureError) -> String {
        guard FileManager.default.isReadableFile(atPath: allowedSigners) else { throw .noAllowedSigners(path: allowedSigners) }
        return try withScratch { directory throws(SSHSignatureError) in
            let message = directory + "/message", sig = directory + "/message.sig"
            try write(bytes, to: message)
            try write(Array(signature.utf8), to: sig)
            // As git does: the principals whose key made the signature, then a full verification.
            let principals = try keygen(["-Y", "find-principals", "-s", sig, "-f", allowedSigners], input: nil,
                                        failure: { _ in .notAllowed(allowedSigners: allowedSigners) })
            guard let principal = principals.split(separator: "\n").first.map(String.init), !principal.isEmpty else {
                throw .notAllowed(allowedSigners: allowedSigners)
            }
            try keygen(["-Y", "verify", "-f", allowedSigners, "-I", principal, "-n", namespace, "-s", sig], input: message,
                       failure: { .badSignature(detail: $0) })
            return principal
        }
    }

    /// Runs ssh-keygen; returns its stdout, or throws `failure(stderr)` when it exits non-zero.
    @discardableResult
    private static func keygen(_ arguments: [String], input: String?,
                               failure: (String) -> SSHSignatureError) throws(SSHSignatureError) -> String {
        let result: (status: Int32, stdout: [UInt8], stderr: [UInt8])
        do {
            result = try Subprocess.run(["ssh-keygen"] + arguments, environment: nil, capture: true, standardInput: input ?? "/dev/null")
        } catch {
            throw .unavailable(detail: error.reason)
        }
        guard result.status == 0 else {
            throw failure(String(decoding: result.stderr, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return String(decoding: result.stdout, as: UTF8.self)
    }

    private static func write(_ bytes: [UInt8], to path: String) throws(SSHSignatureError) {
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
            throw .unavailable(detail: "cannot write \(path)")
        }
    }

    /// A private temporary directory for the message and signature files, removed afterwards.
    private static func withScratch<R>(_ body: (String) throws(SSHSignatureError) -> R) throws(SSHSignatureError) -> R {
        let directory = NSTemporaryDirectory() + "gitml-ssh-" + UUID().uuidString
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw .unavailable(detail: "cannot create \(directory): \(error.localizedDescription)")
        }
        defer { try? FileManager.default.removeItem(atPath: directory) }
        return try body(directory)
    }
}

/// Why an SSH signature could not be made or did not verify, with what to do.
public enum SSHSignatureError: Error, Equatable, Sendable, CustomStringConvertible {
    /// ssh-keygen could not be run (OpenSSH 8.2 or newer provides `-Y`).
    case unavailable(detail: String)
    case signingFailed(key: String, detail: String)
    /// The allowed-signers file does not exist or cannot be read.
    case noAllowedSigners(path: String)
    /// The signing key is not listed in the allowed-signers file.
    case notAllowed(allowedSigners: String)
    /// The key is allowed but the signature does not match the bytes or the namespace.
    case badSignature(detail: String)

    public var description: String {
        switch self {
        case .unavailable(let detail):
            return "cannot run ssh-keygen: \(detail) (install OpenSSH 8.2 or newer)"
        case .signingFailed(let key, let detail):
            return "ssh-keygen could not sign with \(key): \(detail) (give a private key with --key, or set git config user.signingkey)"
        case .noAllowedSigners(let path):
            return "no allowed-signers file at \(path)"
        case .notAllowed(let path):
            return "signed by a key that is not in the allowed signers (\(path))"
        case .badSignature(let detail):
            return "the signature does not verify: \(detail)"
        }
    }
}
