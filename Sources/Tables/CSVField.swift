/// Writing one CSV field (RFC 4180): a text with a comma, quote, carriage return or newline is
/// quoted, its quotes doubled; any other text is written as is. `CSVReader` reads it back.
public enum CSVField {
    public static func escaped(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return text }
        var out = "\""
        for character in text {
            if character == "\"" { out += "\"" }
            out.append(character)
        }
        return out + "\""
    }
}
