/// The shapes of spec strings that reach a Dockerfile, a shell, a URL or a RunPod id.
///
/// Each shape is a positive rule (what may appear), checked over Unicode scalars, so a newline, a
/// tab, `$`, a backtick, a quote or a space never passes where it could change an instruction or a
/// command. `validate` reports one located diagnostic per violation (`Specs/diagnostics.md`), and
/// `Schemas/podform-spec.schema.json` states the same patterns where JSON Schema can.
public enum StringShape {
    /// The longest git ref accepted.
    public static let maxRevisionLength = 255
    /// The longest part of a Hugging Face repo id (the Hub's own limit).
    public static let maxModelIDPartLength = 96
    /// The longest image name (registry and path) accepted, as the distribution reference grammar.
    public static let maxImageNameLength = 255
    /// The longest environment value accepted (RunPod stores env in a template body).
    public static let maxEnvValueLength = 32_768

    // MARK: Scalars

    public static func isDigit(_ s: Unicode.Scalar) -> Bool { ("0"..."9").contains(s) }
    public static func isLower(_ s: Unicode.Scalar) -> Bool { ("a"..."z").contains(s) }
    public static func isUpper(_ s: Unicode.Scalar) -> Bool { ("A"..."Z").contains(s) }
    public static func isAlnum(_ s: Unicode.Scalar) -> Bool { isDigit(s) || isLower(s) || isUpper(s) }
    public static func isWord(_ s: Unicode.Scalar) -> Bool { isAlnum(s) || s == "_" }

    // MARK: Shapes

    /// A git ref or commit for `model.revision`: 1 to 255 of `A-Z a-z 0-9 . _ / -`, no `..` or
    /// `//`, not starting with `-`, `.` or `/`, not ending with `.` or `/` (git check-ref-format).
    public static func isRevision(_ text: String) -> Bool {
        let scalars = Array(text.unicodeScalars)
        guard (1...maxRevisionLength).contains(scalars.count),
            scalars.allSatisfy({ isAlnum($0) || "._/-".unicodeScalars.contains($0) }),
            let first = scalars.first, let last = scalars.last,
            !"-./".unicodeScalars.contains(first), !"./".unicodeScalars.contains(last)
        else { return false }
        return !text.contains("..") && !text.contains("//")
    }

    /// A Hugging Face repo id (`owner/name`) or a bare name (a catalog alias, a legacy Hub id).
    ///
    /// Each part is 1 to 96 of `A-Z a-z 0-9 . _ -`, starts and ends with a letter or digit, and has
    /// no `--` or `..` (the Hub's `validate_repo_id`).
    public static func isModelID(_ text: String) -> Bool {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count) else { return false }
        return parts.allSatisfy { part in
            let scalars = Array(part.unicodeScalars)
            guard (1...maxModelIDPartLength).contains(scalars.count), let first = scalars.first, let last = scalars.last,
                isAlnum(first), isAlnum(last),
                scalars.allSatisfy({ isAlnum($0) || "._-".unicodeScalars.contains($0) })
            else { return false }
            return !part.contains("--") && !part.contains("..")
        }
    }

    /// An OCI image reference: `[registry[:port]/]path[:tag][@digest]` (the distribution reference
    /// grammar): lowercase path components joined by `.`, `_`, `__` or dashes; a tag of
    /// `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`; a digest `algorithm:hex` with at least 32 hex digits.
    public static func isImageReference(_ text: String) -> Bool {
        var rest = Substring(text)
        if let at = rest.firstIndex(of: "@") {
            guard isDigest(rest[rest.index(after: at)...]) else { return false }
            rest = rest[..<at]
        }
        if let colon = rest.lastIndex(of: ":"), !rest[colon...].contains("/") {
            guard isTag(rest[rest.index(after: colon)...]) else { return false }
            rest = rest[..<colon]
        }
        guard !rest.isEmpty, rest.unicodeScalars.count <= maxImageNameLength else { return false }
        var components = rest.split(separator: "/", omittingEmptySubsequences: false)
        if components.count > 1, let first = components.first,
            first.contains(".") || first.contains(":") || first == "localhost" || first.unicodeScalars.contains(where: isUpper)
        {
            guard isRegistry(first) else { return false }
            components.removeFirst()
        }
        return components.allSatisfy(isPathComponent)
    }

    /// Whether an image reference names one version: a `sha256` digest, or a tag other than `latest`
    /// (`unpinned-image` otherwise).
    public static func isPinnedImage(_ reference: String) -> Bool {
        if reference.contains("@sha256:") { return true }
        let lastComponent = reference.split(separator: "/").last.map(String.init) ?? reference
        return lastComponent.contains(":") && !lastComponent.hasSuffix(":latest")
    }

    /// `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`
    static func isPathComponent(_ text: Substring) -> Bool {
        var separator: [Unicode.Scalar] = []
        var sawAlnum = false
        for s in text.unicodeScalars {
            if isDigit(s) || isLower(s) {
                if !separator.isEmpty {
                    let ok = separator == ["."] || separator == ["_"] || separator == ["_", "_"] || separator.allSatisfy { $0 == "-" }
                    guard ok, sawAlnum else { return false }
                    separator = []
                }
                sawAlnum = true
            } else if s == "." || s == "_" || s == "-" {
                guard sawAlnum else { return false }
                separator.append(s)
            } else {
                return false
            }
        }
        return sawAlnum && separator.isEmpty
    }

    /// `host[:port]`, each host label `[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?`.
    static func isRegistry(_ text: Substring) -> Bool {
        let hostPort = text.split(separator: ":", omittingEmptySubsequences: false)
        guard (1...2).contains(hostPort.count) else { return false }
        if hostPort.count == 2 {
            let port = hostPort[1]
            guard (1...5).contains(port.count), port.unicodeScalars.allSatisfy(isDigit) else { return false }
        }
        return hostPort[0].split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            guard let first = label.unicodeScalars.first, let last = label.unicodeScalars.last, label.count <= 63 else { return false }
            return isAlnum(first) && isAlnum(last) && label.unicodeScalars.allSatisfy { isAlnum($0) || $0 == "-" }
        }
    }

    /// `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`
    static func isTag(_ text: Substring) -> Bool {
        guard let first = text.unicodeScalars.first, isWord(first), text.unicodeScalars.count <= 128 else { return false }
        return text.unicodeScalars.allSatisfy { isWord($0) || $0 == "." || $0 == "-" }
    }

    /// `algorithm:hex`: algorithm components `[A-Za-z][A-Za-z0-9]*` joined by `+ . _ -`, 32+ hex digits.
    static func isDigest(_ text: Substring) -> Bool {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, (32...256).contains(parts[1].count),
            parts[1].unicodeScalars.allSatisfy({ isDigit($0) || ("a"..."f").contains($0) || ("A"..."F").contains($0) })
        else { return false }
        var startOfComponent = true
        for s in parts[0].unicodeScalars {
            if startOfComponent {
                guard isLower(s) || isUpper(s) else { return false }
                startOfComponent = false
            } else if "+._-".unicodeScalars.contains(s) {
                startOfComponent = true
            } else if !isAlnum(s) {
                return false
            }
        }
        return !parts[0].isEmpty && !startOfComponent
    }

    /// An environment variable name: `[A-Za-z_][A-Za-z0-9_]*`.
    public static func isEnvName(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, !isDigit(first) else { return false }
        return text.unicodeScalars.allSatisfy(isWord)
    }

    /// An environment value: up to 32 KiB with no control characters (C0, DEL, C1) and no line or
    /// paragraph separators, so it stays one line wherever it is written.
    public static func isEnvValue(_ text: String) -> Bool {
        text.utf8.count <= maxEnvValueLength && !text.unicodeScalars.contains(where: isControl)
    }

    static func isControl(_ s: Unicode.Scalar) -> Bool {
        s.value < 0x20 || (0x7F...0x9F).contains(s.value) || s.value == 0x2028 || s.value == 0x2029
    }

    /// A RunPod secret name: 1 to 64 of `A-Z a-z 0-9 _ -`.
    public static func isSecretName(_ text: String) -> Bool {
        (1...64).contains(text.unicodeScalars.count) && text.unicodeScalars.allSatisfy { isWord($0) || $0 == "-" }
    }

    /// A RunPod data center id such as `EU-RO-1`, `US-TX-3`, `CA-MTL-1`: `[A-Z]{2}-[A-Z]{2,4}-[0-9]{1,3}`.
    public static func isDataCenter(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3 else { return false }
        return parts[0].count == 2 && parts[0].unicodeScalars.allSatisfy(isUpper)
            && (2...4).contains(parts[1].count) && parts[1].unicodeScalars.allSatisfy(isUpper)
            && (1...3).contains(parts[2].count) && parts[2].unicodeScalars.allSatisfy(isDigit)
    }

    /// A label key in kubectl syntax: `[prefix/]name`, the prefix a DNS subdomain of lowercase
    /// labels (at most 253 characters), the name as a label value but not empty.
    public static func isLabelKey(_ text: String) -> Bool {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let name = parts.last, !name.isEmpty, isLabelValue(String(name)) else { return false }
        guard parts.count == 2 else { return true }
        let prefix = parts[0]
        guard (1...253).contains(prefix.count) else { return false }
        return prefix.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            guard let first = label.unicodeScalars.first, let last = label.unicodeScalars.last, label.count <= 63 else { return false }
            return (isLower(first) || isDigit(first)) && (isLower(last) || isDigit(last))
                && label.unicodeScalars.allSatisfy { isLower($0) || isDigit($0) || $0 == "-" }
        }
    }

    /// A label value in kubectl syntax: empty, or at most 63 of `A-Z a-z 0-9 . _ -` starting and
    /// ending with a letter or digit.
    public static func isLabelValue(_ text: String) -> Bool {
        let scalars = Array(text.unicodeScalars)
        guard let first = scalars.first, let last = scalars.last else { return true }
        return scalars.count <= 63 && isAlnum(first) && isAlnum(last)
            && scalars.allSatisfy { isAlnum($0) || "._-".unicodeScalars.contains($0) }
    }
}

extension StringShape {
    /// `text` for a message: at most `limit` characters, control and invisible characters written
    /// as escapes (`\n`, `\t`, `\u{200B}`), so a hostile value can neither break the line nor forge one.
    public static func excerpt(_ text: String, limit: Int = 60) -> String {
        var out = ""
        var count = 0
        for s in text.unicodeScalars {
            if count >= limit { out += "…"; break }
            switch s {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "`": out += "\\`"
            default:
                if isControl(s) || s.properties.generalCategory == .format || s.properties.generalCategory == .lineSeparator {
                    out += "\\u{\(String(s.value, radix: 16, uppercase: true))}"
                } else {
                    out.unicodeScalars.append(s)
                }
            }
            count += 1
        }
        return out
    }
}
