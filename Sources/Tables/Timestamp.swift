/// ISO 8601 timestamps as microseconds since 1970-01-01T00:00:00Z (proleptic Gregorian).
public enum Timestamp {
    /// Parses `YYYY-MM-DD`, or that followed by `T` or a space and `HH:MM[:SS[.fraction]]`,
    /// then optionally `Z` or an offset `±HH:MM` / `±HHMM`. Fractions beyond microseconds are
    /// truncated. Returns `nil` for anything else, including impossible dates.
    public static func parse(_ bytes: UnsafeRawBufferPointer) -> Int64? {
        let n = bytes.count
        guard n >= 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
              let year = digits(bytes, 0, 4), let month = digits(bytes, 5, 2), let day = digits(bytes, 8, 2),
              (1...12).contains(month), day >= 1, day <= daysInMonth(year: year, month: month)
        else { return nil }
        var micros = Int64(daysFromCivil(year: year, month: month, day: day)) * 86_400_000_000
        if n == 10 { return micros }
        guard n >= 16, bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: " "),
              bytes[13] == UInt8(ascii: ":"),
              let hour = digits(bytes, 11, 2), let minute = digits(bytes, 14, 2), hour < 24, minute < 60
        else { return nil }
        var seconds = hour * 3600 + minute * 60
        var i = 16
        var fraction: Int64 = 0
        if i < n, bytes[i] == UInt8(ascii: ":") {
            guard let second = digits(bytes, i + 1, 2), second < 60 else { return nil }
            seconds += second
            i += 3
            if i < n, bytes[i] == UInt8(ascii: ".") {
                i += 1
                var scale: Int64 = 100_000
                let start = i
                while i < n, bytes[i] &- 48 < 10 {
                    fraction += Int64(bytes[i] &- 48) * scale
                    scale /= 10
                    i += 1
                }
                guard i > start else { return nil }
            }
        }
        if i < n {
            if bytes[i] == UInt8(ascii: "Z") {
                i += 1
            } else if bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") {
                let sign = bytes[i] == UInt8(ascii: "-") ? -1 : 1
                guard let offsetHours = digits(bytes, i + 1, 2), offsetHours < 24 else { return nil }
                var offsetMinutes = 0
                if i + 3 < n, bytes[i + 3] == UInt8(ascii: ":") {
                    guard let m = digits(bytes, i + 4, 2) else { return nil }
                    offsetMinutes = m
                    i += 6
                } else if i + 5 <= n, let m = digits(bytes, i + 3, 2) {
                    offsetMinutes = m
                    i += 5
                } else {
                    i += 3
                }
                guard offsetMinutes < 60 else { return nil }
                seconds -= sign * (offsetHours * 3600 + offsetMinutes * 60)
            }
        }
        guard i == n else { return nil }
        micros += Int64(seconds) * 1_000_000 + fraction
        return micros
    }

    /// Parses a timestamp from text; see `parse(_:)` on bytes.
    public static func parse(_ text: String) -> Int64? {
        var text = text
        return text.withUTF8 { parse(UnsafeRawBufferPointer($0)) }
    }

    /// `YYYY-MM-DDTHH:MM:SS[.ffffff]Z` for `microseconds` since the epoch.
    public static func iso8601(microseconds: Int64) -> String {
        let (days, dayMicros) = floorDivide(microseconds, 86_400_000_000)
        let (year, month, day) = civilFromDays(Int(days))
        let seconds = Int(dayMicros / 1_000_000)
        let fraction = Int(dayMicros % 1_000_000)
        func pad(_ v: Int, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        var text = "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(seconds / 3600, 2)):\(pad(seconds / 60 % 60, 2)):\(pad(seconds % 60, 2))"
        if fraction != 0 { text += "." + pad(fraction, 6) }
        return text + "Z"
    }

    private static func digits(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ length: Int) -> Int? {
        guard start + length <= bytes.count else { return nil }
        var value = 0
        for i in start..<(start + length) {
            let d = bytes[i] &- 48
            guard d < 10 else { return nil }
            value = value * 10 + Int(d)
        }
        return value
    }

    private static func isLeap(_ year: Int) -> Bool { year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) }

    private static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    private static func floorDivide(_ a: Int64, _ b: Int64) -> (Int64, Int64) {
        let q = a / b, r = a % b
        return r < 0 ? (q - 1, r + b) : (q, r)
    }

    /// Days since 1970-01-01 (H. Hinnant's algorithm).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func civilFromDays(_ days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
