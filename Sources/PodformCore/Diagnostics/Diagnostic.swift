/// Where a diagnostic points: a file, a 1-based line and column, and the spec key path.
///
/// Columns count Unicode scalars, which is what Yams' `Mark` (libyaml) reports. A location whose
/// line is 0 is synthetic (a default or a derived value); renderers then show the key path only.
public struct SourceLocation: Sendable, Hashable, Codable {
    /// The path of the spec file as the user named it.
    public var file: String
    /// 1-based line number.
    public var line: Int
    /// 1-based column, in Unicode scalars.
    public var column: Int
    /// The spec key path, e.g. `traffic.peak_requests_per_second` or `constraints.gpus[1]`.
    public var keyPath: String

    public init(file: String, line: Int, column: Int, keyPath: String = "") {
        self.file = file
        self.line = line
        self.column = column
        self.keyPath = keyPath
    }
}

/// How bad a finding is.
public enum Severity: String, Sendable, Codable, Comparable {
    case error, warning, note

    private var rank: Int {
        switch self {
        case .error: return 0
        case .warning: return 1
        case .note: return 2
        }
    }

    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
}

/// One finding about a spec: a stable code, a message, a location and an optional hint.
public struct Diagnostic: Sendable, Hashable, Codable {
    /// Error, warning or note.
    public var severity: Severity
    /// A stable kebab-case code listed in `Specs/diagnostics.md`.
    public var code: String
    /// One sentence saying what is wrong.
    public var message: String
    /// Where it is.
    public var location: SourceLocation
    /// What to do about it ("did you mean `concurrency`?"), if anything helps.
    public var hint: String?

    public init(
        _ severity: Severity, code: String, message: String, at location: SourceLocation, hint: String? = nil
    ) {
        self.severity = severity
        self.code = code
        self.message = message
        self.location = location
        self.hint = hint
    }
}

extension Array where Element == Diagnostic {
    /// True when any diagnostic is an error.
    public var hasErrors: Bool { contains { $0.severity == .error } }
    /// True when any diagnostic is a warning.
    public var hasWarnings: Bool { contains { $0.severity == .warning } }

    /// Diagnostics in a stable order: file, line, column, code.
    public func sortedByLocation() -> [Diagnostic] {
        sorted {
            ($0.location.file, $0.location.line, $0.location.column, $0.code, $0.message)
                < ($1.location.file, $1.location.line, $1.location.column, $1.code, $1.message)
        }
    }
}
