/// A path inside a git work tree, relative to its root, that GitML may create or replace a file
/// at. Every path read from a record, a lock, a manifest or a remote listing becomes one before
/// it is used, so a hostile record cannot name a place outside the work tree or inside `.git`.
///
/// A valid path is relative and normalized: components separated by `/`, none of them empty,
/// `.` or `..`; no backslash, no NUL or other control character, no Windows drive (`C:`) or
/// device name (`CON`, `NUL`, `COM1`, `aux.csv`, …); and no component that git itself treats as
/// its directory — `.git` in any case, with trailing spaces or dots, with a `:` stream suffix,
/// as the NTFS short name `git~1`, or with Unicode code points that HFS+ ignores (U+200C, U+FEFF,
/// …) inserted (git's `is_hfs_dotgit` / `is_ntfs_dotgit`).
///
/// The check is on the text only: whether a component on disk is a symbolic link is for the
/// writer to check (see `ConfinedDirectory` in BlobStore).
public struct WorkTreePath: Hashable, Sendable, CustomStringConvertible {
    /// The path as written in records: components joined by `/`.
    public let string: String

    /// Why a text is not a valid work-tree path.
    public enum Violation: Error, Equatable, Sendable, CustomStringConvertible {
        case empty
        case absolute
        case backslash
        case controlCharacter
        case emptyComponent
        case dotComponent
        case dotDotComponent
        case gitDirectory(component: String)
        case device(component: String)

        public var description: String {
            switch self {
            case .empty: return "is empty"
            case .absolute: return "is absolute (a path here is relative to the repository root)"
            case .backslash: return "contains a backslash"
            case .controlCharacter: return "contains a NUL or other control character"
            case .emptyComponent: return "has an empty component ('//', or a leading or trailing '/')"
            case .dotComponent: return "has a '.' component"
            case .dotDotComponent: return "has a '..' component, which would leave its folder"
            case .gitDirectory(let c): return "names git's own directory (component \"\(c)\" is read as .git)"
            case .device(let c): return "names a device (component \"\(c)\")"
            }
        }
    }

    /// Validates `text`; see the type's documentation for the rules.
    public init(validating text: String) throws(Violation) {
        guard !text.isEmpty else { throw .empty }
        guard !text.hasPrefix("/") else { throw .absolute }
        guard !text.contains("\\") else { throw .backslash }
        guard !text.unicodeScalars.contains(where: WorkTreePath.isControl) else { throw .controlCharacter }
        let components = text.split(separator: "/", omittingEmptySubsequences: false)
        if let first = components.first, WorkTreePath.isDrive(first) { throw .absolute }
        for component in components {
            switch component {
            case "": throw .emptyComponent
            case ".": throw .dotComponent
            case "..": throw .dotDotComponent
            default:
                if WorkTreePath.isDotGit(component) { throw .gitDirectory(component: String(component)) }
                if WorkTreePath.isDevice(component) { throw .device(component: String(component)) }
            }
        }
        string = text
    }

    private init(checked: String) { string = checked }

    /// The components, in order (never empty).
    public var components: [String] { string.split(separator: "/").map(String.init) }

    /// `self/other`, which is valid because both parts are.
    public func appending(_ other: WorkTreePath) -> WorkTreePath { WorkTreePath(checked: string + "/" + other.string) }

    public var description: String { string }

    // MARK: The rules

    private static func isControl(_ s: Unicode.Scalar) -> Bool { s.value < 0x20 || (0x7F...0x9F).contains(s.value) }

    /// `C:` and the like: a drive-relative or absolute Windows path.
    private static func isDrive(_ component: Substring) -> Bool {
        let scalars = Array(component.unicodeScalars)
        return scalars.count >= 2 && scalars[1] == ":" && scalars[0].isASCII && scalars[0].properties.isAlphabetic
    }

    /// Code points HFS+ drops when comparing names, so `.g\u{200C}it` opens `.git` there
    /// (the list in git's `utf8.c`, `next_hfs_char`).
    private static func isIgnorable(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x200C...0x200F, 0x202A...0x202E, 0x206A...0x206F, 0xFEFF: return true
        default: return false
        }
    }

    /// True when a file system git supports could open `component` as `.git`.
    static func isDotGit(_ component: Substring) -> Bool {
        var name = String(String.UnicodeScalarView(component.unicodeScalars.filter { !isIgnorable($0) })).lowercased()
        if let colon = name.firstIndex(of: ":") { name = String(name[..<colon]) }  // NTFS alternate data stream
        while let last = name.last, last == " " || last == "." { name.removeLast() }  // NTFS drops these
        return name == ".git" || name == "git~1"
    }

    /// Windows device names, alone or with an extension (`aux`, `NUL.txt`, `com1.csv`), which
    /// open the device rather than a file there.
    private static func isDevice(_ component: Substring) -> Bool {
        let stem = component.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false).first ?? component
        let name = stem.lowercased().trimmingTrailingSpaces
        if ["con", "prn", "aux", "nul", "conin$", "conout$"].contains(name) { return true }
        guard name.count == 4, name.hasPrefix("com") || name.hasPrefix("lpt"), let digit = name.last else { return false }
        return ("1"..."9").contains(digit)
    }
}

private extension String {
    var trimmingTrailingSpaces: String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}
