import Foundation
import PodformApply
import RunPodAPI

/// The comment's "Changes" section: each resource that is updated, replaced, started, stopped or
/// deleted, with its fields before and after, read from the plan's `resource_changes`.
extension PlanMarkdownRenderer {
    /// - Parameter tables: with each resource's field table; without them when the comment would be too long.
    static func changes(_ reviewed: ReviewedPlan, tables: Bool = true) -> String {
        let changed = reviewed.resourceChanges.filter { $0.podformAction != .create && $0.podformAction != .noop }
        let notes = (reviewed.changeSets ?? []).flatMap { set in set.notes.map { (set.spec, $0) } }
        guard !changed.isEmpty || !notes.isEmpty else { return "" }
        var s = ""
        if !changed.isEmpty {
            s += "\n### Changes\n\n"
            var specs: [String] = []
            for r in changed where !specs.contains(r.spec) { specs.append(r.spec) }
            for spec in specs {
                s += "#### `\(spec)`\n\n"
                for r in changed where r.spec == spec { s += resource(r, table: tables) }
            }
        }
        if !notes.isEmpty {
            s += "\n### Notes\n\n"
            for (spec, note) in notes { s += "- `\(spec)`: \(inline(note))\n" }
            s += "\n"
        }
        return s
    }

    /// `+` create, `~` update in place, `+/-` replace (create before destroy), `-` delete, as the terminal diff.
    static func symbol(_ action: Change.Action) -> String {
        switch action {
        case .create: return "+"
        case .update, .start, .stop: return "~"
        case .replace: return "+/-"
        case .delete: return "-"
        case .noop: return ""
        }
    }

    /// One resource: what happens to it and why, then its changed fields (collapsed when long).
    static func resource(_ r: ResourceChange, table showTable: Bool = true) -> String {
        let why = [r.reason, r.impact].compactMap { $0 }.map(inline).joined(separator: "; ")
        // The symbol as code: GFM would read a bare `~` as strikethrough and leave `**~ update**` unbolded.
        var s = "`\(symbol(r.podformAction))` **\(r.podformAction.rawValue)** \(r.kind.rawValue) `\(r.name)`"
        s += (r.id.map { " (`\($0)`)" } ?? "") + (why.isEmpty ? "" : ": \(why)") + "\n\n"
        guard r.podformAction != .delete, showTable else { return s }
        let fields = r.changedFields
        guard !fields.isEmpty else { return s }
        var table = "| field | change |\n| --- | --- |\n"
        var long = fields.count > collapseFields
        for f in fields {
            let old = value(f.old, sensitive: r.isSensitive(f.path, after: false))
            let new = value(f.new, sensitive: r.isSensitive(f.path, after: true))
            long = long || old.count > longValue || new.count > longValue
            table += "| \(code(f.path)) | \(code(old)) → \(code(new)) |\n"
        }
        guard long else { return s + table + "\n" }
        let names = fields.prefix(4).map(\.path).joined(separator: ", ") + (fields.count > 4 ? ", …" : "")
        return s + "<details><summary>\(fields.count) field\(fields.count == 1 ? "" : "s") change: \(inline(names))</summary>\n\n"
            + table + "\n</details>\n\n"
    }

    /// A field's value as the terminal diff shows it; a secret that is not a RunPod secret reference is not shown.
    static func value(_ v: JSONValue?, sensitive: Bool) -> String {
        if sensitive, let v, !(v.stringValue.map { $0.hasPrefix("{{") && $0.contains("RUNPOD_SECRET_") } ?? false) {
            return "(sensitive value)"
        }
        return ChangeSetRenderer.show(v)
    }

    /// A code span that survives a table cell: pipes escaped, a backtick inside fenced with two.
    static func code(_ text: String) -> String {
        let escaped = text.replacingOccurrences(of: "|", with: "\\|")
        return escaped.contains("`") ? "`` \(escaped) ``" : "`\(escaped)`"
    }
}
