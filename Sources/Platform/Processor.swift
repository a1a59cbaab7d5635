/// The CPU as the kernel describes it: its model name and the instruction-set flags of the
/// first processor (`/proc/cpuinfo` on Linux).
public struct ProcessorDescription: Sendable, Equatable {
    /// `model name`; nil where the kernel reports none (many ARM systems).
    public var model: String?
    /// The first `flags` (x86) or `Features` (ARM) line, in the kernel's order.
    public var flags: [String]

    public init(model: String?, flags: [String]) {
        self.model = model
        self.flags = flags
    }

    /// The CPU running this process; no model and no flags where the kernel describes none.
    public static func current() -> ProcessorDescription {
        parse(cpuinfo: KernelFile.text("/proc/cpuinfo") ?? "")
    }

    /// The first `model name` and the first `flags`/`Features` line of /proc/cpuinfo text.
    public static func parse(cpuinfo text: String) -> ProcessorDescription {
        var model: String?
        var flags: [String]?
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = trimmed(line[..<colon])
            let value = trimmed(line[line.index(after: colon)...])
            if key == "model name", model == nil { model = String(value) }
            if key == "flags" || key == "Features", flags == nil { flags = value.split(separator: " ").map(String.init) }
        }
        return ProcessorDescription(model: model, flags: flags ?? [])
    }

    /// `text` without leading and trailing spaces and tabs.
    private static func trimmed(_ text: Substring) -> Substring {
        let blank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = text.firstIndex(where: { !blank($0) }), let last = text.lastIndex(where: { !blank($0) }) else { return "" }
        return text[first...last]
    }
}
