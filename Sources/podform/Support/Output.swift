import ArgumentParser
import Foundation

/// Where command output goes: results to stdout, diagnostics and progress to stderr.
enum Output {
    static func out(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    static func err(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// A string from a remote answer made safe to print on one terminal line: control characters
    /// (newlines, escape sequences), line and paragraph separators and bidirectional overrides
    /// become `?`, so a hostile name cannot forge output lines or recolour the terminal.
    static func terminalSafe(_ text: String) -> String {
        String(
            String.UnicodeScalarView(
                text.unicodeScalars.map { s -> Unicode.Scalar in
                    let v = s.value
                    let unsafe =
                        v < 0x20 || (0x7f...0x9f).contains(v) || v == 0x2028 || v == 0x2029 || (0x202a...0x202e).contains(v)
                        || (0x2066...0x2069).contains(v)
                    return unsafe ? "?" : s
                }))
    }

    /// Colour on a terminal unless NO_COLOR is set or `--color never`.
    static func useColor(_ option: ColorChoice, stream: Int32 = STDERR_FILENO) -> Bool {
        switch option {
        case .always: return true
        case .never: return false
        case .auto:
            if ProcessInfo.processInfo.environment["NO_COLOR"] != nil { return false }
            return isatty(stream) == 1
        }
    }
}

enum ColorChoice: String, ExpressibleByArgument, CaseIterable {
    case auto, always, never
}
