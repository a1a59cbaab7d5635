import CGit2

/// A git object id (SHA-1 in the repositories libgit2 1.5 opens), as 40 hex characters.
public struct ObjectID: Hashable, Sendable, CustomStringConvertible {
    public let hex: String

    init(_ oid: git_oid) {
        var copy = oid
        var buffer = [CChar](repeating: 0, count: 41)
        git_oid_tostr(&buffer, 41, &copy)
        hex = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    /// Parses 40 hex characters.
    public init?(hex: String) {
        var oid = git_oid()
        guard hex.utf8.count == 40, git_oid_fromstr(&oid, hex) == 0 else { return nil }
        self.hex = hex.lowercased()
    }

    var oid: git_oid {
        var oid = git_oid()
        git_oid_fromstr(&oid, hex)
        return oid
    }

    public var description: String { hex }
}
