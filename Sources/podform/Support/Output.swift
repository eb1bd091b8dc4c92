import Foundation

/// Where command output goes: results to stdout, diagnostics and progress to stderr.
enum Output {
    static func out(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    static func err(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
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

import ArgumentParser

enum ColorChoice: String, ExpressibleByArgument, CaseIterable {
    case auto, always, never
}
