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
        var text = text
        switch text.withUTF8(WorkTreePath.checkASCII) {
        case .valid: break
        case .invalid(let violation): throw violation
        case .notASCII: if let violation = WorkTreePath.violation(text) { throw violation }
        }
        string = text
    }

    /// The first rule `text` breaks, by the general (Unicode) rules; nil when it is valid.
    static func violation(_ text: String) -> Violation? {
        guard !text.isEmpty else { return .empty }
        guard !text.hasPrefix("/") else { return .absolute }
        guard !text.contains("\\") else { return .backslash }
        guard !text.unicodeScalars.contains(where: WorkTreePath.isControl) else { return .controlCharacter }
        let components = text.split(separator: "/", omittingEmptySubsequences: false)
        if let first = components.first, WorkTreePath.isDrive(first) { return .absolute }
        for component in components {
            switch component {
            case "": return .emptyComponent
            case ".": return .dotComponent
            case "..": return .dotDotComponent
            default:
                if WorkTreePath.isDotGit(component) { return .gitDirectory(component: String(component)) }
                if WorkTreePath.isDevice(component) { return .device(component: String(component)) }
            }
        }
        return nil
    }

    private init(checked: String) { string = checked }

    /// The components, in order (never empty).
    public var components: [String] { string.split(separator: "/").map(String.init) }

    /// `self/other`, which is valid because both parts are.
    public func appending(_ other: WorkTreePath) -> WorkTreePath { WorkTreePath(checked: string + "/" + other.string) }

    public var description: String { string }

    // MARK: The rules

    private enum ASCIIVerdict {
        case valid, invalid(Violation), notASCII
    }

    /// The rules below on the bytes of an ASCII text, in the same order (so the same violation
    /// is reported), without building strings: a data add checks every file's path and a
    /// directory dataset can hold a million. Any non-ASCII byte leaves the text to the general
    /// rules (HFS+ ignorable code points, Unicode case).
    private static func checkASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> ASCIIVerdict {
        guard !bytes.contains(where: { $0 >= 0x80 }) else { return .notASCII }
        guard let first = bytes.first else { return .invalid(.empty) }
        if first == UInt8(ascii: "/") { return .invalid(.absolute) }
        if bytes.contains(UInt8(ascii: "\\")) { return .invalid(.backslash) }
        if bytes.contains(where: { $0 < 0x20 || $0 == 0x7F }) { return .invalid(.controlCharacter) }
        func lower(_ b: UInt8) -> UInt8 { b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z") ? b | 0x20 : b }
        func equals(_ c: UnsafeBufferPointer<UInt8>.SubSequence, _ word: StaticString) -> Bool {
            c.count == word.utf8CodeUnitCount && zip(c, UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)).allSatisfy { lower($0) == $1 }
        }
        func isDotGit(_ c: UnsafeBufferPointer<UInt8>.SubSequence) -> Bool {
            var name = c[..<(c.firstIndex(of: UInt8(ascii: ":")) ?? c.endIndex)]
            while let last = name.last, last == UInt8(ascii: " ") || last == UInt8(ascii: ".") { name = name.dropLast() }
            return equals(name, ".git") || equals(name, "git~1")
        }
        func isDevice(_ c: UnsafeBufferPointer<UInt8>.SubSequence) -> Bool {
            var stem = c[..<(c.firstIndex(of: UInt8(ascii: ".")) ?? c.endIndex)]
            while stem.last == UInt8(ascii: " ") { stem = stem.dropLast() }
            let devices: [StaticString] = ["con", "prn", "aux", "nul", "conin$", "conout$"]
            if devices.contains(where: { equals(stem, $0) }) { return true }
            guard stem.count == 4, equals(stem.prefix(3), "com") || equals(stem.prefix(3), "lpt"), let digit = stem.last else { return false }
            return digit >= UInt8(ascii: "1") && digit <= UInt8(ascii: "9")
        }
        var start = bytes.startIndex
        while true {
            let end = bytes[start...].firstIndex(of: UInt8(ascii: "/")) ?? bytes.endIndex
            let component = bytes[start..<end]
            if start == bytes.startIndex, component.count >= 2, component[start + 1] == UInt8(ascii: ":"),
               (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(lower(component[start])) {
                return .invalid(.absolute)
            }
            switch component.count {
            case 0: return .invalid(.emptyComponent)
            case 1 where component.first == UInt8(ascii: "."): return .invalid(.dotComponent)
            case 2 where component.allSatisfy({ $0 == UInt8(ascii: ".") }): return .invalid(.dotDotComponent)
            default:
                let text = { String(decoding: component, as: UTF8.self) }
                if isDotGit(component) { return .invalid(.gitDirectory(component: text())) }
                if isDevice(component) { return .invalid(.device(component: text())) }
            }
            guard end < bytes.endIndex else { return .valid }
            start = end + 1
        }
    }

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
