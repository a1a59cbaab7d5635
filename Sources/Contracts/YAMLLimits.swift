/// What GitML refuses in a YAML document before Yams reads it: anchors and aliases (`&name`,
/// `*name`), and nesting deeper than `maxDepth` levels. Yams copies an alias's node wherever it
/// is used and its duplicate-key check hashes whole keys, so a "billion laughs" document with an
/// alias of 9^10 nodes as a mapping key hangs the reader; GitML's short hand-written files need
/// neither anchors nor deep nesting. (libyaml itself stops at 1,000 levels, with an error that
/// quotes the whole offending line — 200 KB for a pushed line of `[`; the limit here is lower
/// and its error one line.) Every reader of the project's YAML checks a document here first
/// (`YAMLCursor`, the sweep's `TrialExperiment`).
///
/// The scan follows YAML's lexical rules closely enough to never count less than Yams nests nor
/// miss an anchor: comments, quoted scalars (only where a quote starts a node), block scalars
/// (`|`, `>`) and the continuation lines of plain scalars are skipped; flow collections (`[`,
/// `{`) count one level each; in block context each indentation level counts two (a block
/// sequence may sit at its parent mapping's indentation) and each compact `- ` or `? ` on a
/// line one more.
public enum YAMLLimits {
    /// The deepest nesting the scan allows (GitML's own files nest fewer than 10 levels).
    public static let maxDepth = 64

    /// Throws `invalidYAML` at the first line that nests deeper than `maxDepth` or defines an
    /// anchor.
    public static func check(_ yaml: String, file: String) throws(ContractError) {
        var scan = Scan()
        for (index, line) in yaml.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            switch scan.line(Array(line.utf8)) {
            case .ok: break
            case .anchor:
                throw .invalidYAML(file: file, line: index + 1, message: "anchors and aliases (&name, *name) are not supported in GitML's files: write the values out (quote a value that starts with &)")
            case .tooDeep:
                throw .invalidYAML(file: file, line: index + 1, message: "nested deeper than \(maxDepth) levels")
            }
        }
    }

    enum Verdict { case ok, anchor, tooDeep }

    /// The scanner's state between lines.
    struct Scan {
        /// Indentations of the open block nodes.
        var indents: [Int] = []
        /// Open flow collections.
        var flow = 0
        /// The open quoted scalar's quote character.
        var quote: UInt8?
        /// An open block scalar: the indentation of the line that opened it, and of its text once known.
        var blockScalar: (parent: Int, text: Int?)?
        /// The indentation of a line whose plain scalar may continue on more indented lines.
        var plainAt: Int?
        /// The next character may start a node (quote, flow collection, anchor, tag, block scalar).
        var tokenStart = true
        /// Inside a plain scalar (which in a flow collection may go on over lines).
        var plain = false

        mutating func line(_ bytes: [UInt8]) -> Verdict {
            let indent = bytes.prefix { $0 == 0x20 }.count
            let blank = bytes.dropFirst(indent).allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }
            var i = 0
            if quote == nil, flow == 0 {
                if let open = blockScalar {
                    if blank { return .ok }
                    let text = open.text ?? indent
                    if indent > open.parent, indent >= text { blockScalar = (open.parent, text); return .ok }
                    blockScalar = nil
                }
                if blank || bytes[indent] == UInt8(ascii: "#") { return .ok }
                if let at = plainAt, indent > at { return .ok }  // the text of a plain scalar, continued
                plainAt = nil
                while let last = indents.last, last >= indent { indents.removeLast() }
                indents.append(indent)
                tokenStart = true
                plain = false
                i = indent
            }
            var compact = 0, deepestFlow = flow
            // The column of the node that owns what follows on this line (a key's column for its
            // value, a dash's for its entry): a block scalar's text and a plain scalar's continued
            // lines must be indented deeper than it.
            var owner = indent, nodeColumn = indent
            if flow == 0, quote == nil, indent == 0, bytes.count >= 3, [Array("---".utf8), Array("...".utf8)].contains(Array(bytes[0..<3])),
               bytes.count == 3 || [0x20, 0x09, 0x0D].contains(bytes[3]) {
                i = 3  // a document marker: a node may follow on the same line
            }
            while i < bytes.count {
                let c = bytes[i]
                let next: UInt8 = i + 1 < bytes.count ? bytes[i + 1] : 0x20
                let spaceNext = next == 0x20 || next == 0x09 || next == 0x0D
                if let q = quote {
                    if q == UInt8(ascii: "\""), c == UInt8(ascii: "\\") { i += 2; continue }
                    if c == q {
                        if q == UInt8(ascii: "'"), next == q { i += 2; continue }
                        quote = nil
                        tokenStart = false
                    }
                    i += 1
                    continue
                }
                if c == 0x20 || c == 0x09 || c == 0x0D {
                    // Blanks separate tokens and change nothing.
                } else if c == UInt8(ascii: "#"), i == 0 || bytes[i - 1] == 0x20 || bytes[i - 1] == 0x09 {
                    plain = false
                    break  // a comment
                } else if (c == UInt8(ascii: "\"") || c == UInt8(ascii: "'")), tokenStart {
                    quote = c
                    nodeColumn = i
                } else if (c == UInt8(ascii: "[") || c == UInt8(ascii: "{")), tokenStart || flow > 0 {
                    flow += 1
                    deepestFlow = max(deepestFlow, flow)
                    tokenStart = true
                    plain = false
                } else if (c == UInt8(ascii: "]") || c == UInt8(ascii: "}") || c == UInt8(ascii: ",")), flow > 0 {
                    if c != UInt8(ascii: ",") { flow -= 1 }
                    tokenStart = c == UInt8(ascii: ",")
                    plain = false
                } else if (c == UInt8(ascii: "-") || c == UInt8(ascii: "?")), tokenStart, spaceNext {
                    if flow == 0 { compact += 1 }
                    owner = i
                } else if c == UInt8(ascii: ":"), spaceNext || (flow > 0 && !plain) {
                    // A value indicator: followed by a blank, or in a flow collection anywhere
                    // but inside a plain scalar (libyaml's rule, so `{"a":[` opens a level).
                    if flow == 0 { owner = nodeColumn }
                    tokenStart = true
                    plain = false
                } else if (c == UInt8(ascii: "&") || c == UInt8(ascii: "*")), tokenStart {
                    return .anchor
                } else if c == UInt8(ascii: "!"), tokenStart {
                    // A tag: the node follows it.
                    while i + 1 < bytes.count, ![0x20, 0x09, 0x0D].contains(bytes[i + 1]) { i += 1 }
                } else if (c == UInt8(ascii: "|") || c == UInt8(ascii: ">")), tokenStart, flow == 0 {
                    blockScalar = (owner, nil)
                    plain = false
                    break  // the header's rest is indicators and a comment
                } else {
                    if tokenStart { nodeColumn = i }
                    tokenStart = false
                    plain = true
                }
                i += 1
            }
            if flow == 0 { plainAt = plain && quote == nil ? owner : nil }
            return 2 * indents.count + compact + deepestFlow > YAMLLimits.maxDepth ? .tooDeep : .ok
        }
    }
}
