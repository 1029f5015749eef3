/// Makes strings taken from input files safe to print in a one-line message.
///
/// A corrupt or hostile file can hold node, op, tensor or key names with newlines, NUL
/// bytes, escape sequences or megabytes of text. Every such name goes through `escaped` (or
/// `quoted`) before it is put in a message, so an error stays one readable line.
public enum Text {
    /// The longest name printed whole, in characters; longer ones are cut with `…`.
    public static let maximumLength = 80

    /// `s` with every control character written as an escape (`\n`, `\t`, `\r`, `\0`,
    /// `\u{1b}`, …), a backslash as `\\`, and cut to `limit` characters with `…`.
    public static func escaped(_ s: String, limit: Int = maximumLength) -> String {
        escape(s, limit: limit, quote: false)
    }

    /// `s` with its control characters escaped as `escaped` does, but backslashes kept and
    /// nothing cut: the CLI passes every error message through it, so that even a name no
    /// message escaped cannot break the message's one line.
    public static func singleLine(_ s: String) -> String {
        escape(s, limit: .max, quote: false, backslash: false)
    }

    /// `s` as a terminal should show it: every control character but the newline and the tab
    /// written as an escape (`\u{1b}`, `\u{7}`, `\r`, …), backslashes and length kept. A
    /// layer name in a text table that holds `ESC ] 0 ; … BEL` or `ESC [ 2 J` would otherwise
    /// retitle the terminal or clear the screen; the CLI prints every text output through it.
    public static func terminal(_ s: String) -> String {
        guard s.unicodeScalars.contains(where: { $0 != "\n" && $0 != "\t" && isControl($0) }) else { return s }
        var out = String.UnicodeScalarView()
        for scalar in s.unicodeScalars {
            if scalar == "\n" || scalar == "\t" || !isControl(scalar) {
                out.append(scalar)
            } else {
                out.append(contentsOf: singleLine(String(scalar)).unicodeScalars)
            }
        }
        return String(out)
    }

    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator, .surrogate, .unassigned, .privateUse: true
        default: false
        }
    }

    /// `escaped(s)` in double quotes, with a `"` inside written as `\"`.
    public static func quoted(_ s: String, limit: Int = maximumLength) -> String {
        "\"" + escape(s, limit: limit, quote: true) + "\""
    }

    private static func escape(_ s: String, limit: Int, quote: Bool, backslash: Bool = true) -> String {
        var out = ""
        var count = 0
        for scalar in s.unicodeScalars {
            if count >= limit { return out + "…" }
            switch scalar {
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case "\0": out += "\\0"
            case "\\" where backslash: out += "\\\\"
            case "\"" where quote: out += "\\\""
            default:
                if isControl(scalar) {
                    out += "\\u{\(String(scalar.value, radix: 16))}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
            count += 1
        }
        return out
    }
}
