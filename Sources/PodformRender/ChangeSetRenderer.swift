import Foundation
import PodformApply
import RunPodAPI

/// Renders change sets Terraform style: `+` create, `~` update in place, `+/-` replace (podform
/// always creates the replacement before it destroys the old one: Terraform's create-before-destroy
/// symbol), `-` delete. The summary counts a replacement as one add and one destroy, as Terraform does.
public enum ChangeSetRenderer {
    public static func text(_ sets: [ChangeSet]) -> String {
        var out = ""
        var add = 0, change = 0, replace = 0, destroy = 0
        for set in sets {
            let visible = set.changes.filter { $0.action != .noop }
            out += "# \(set.spec): " + (visible.isEmpty ? "no changes" : "\(visible.count) change\(visible.count == 1 ? "" : "s")") + "\n"
            for c in visible {
                let symbol: String
                switch c.action {
                case .create: symbol = "+"; add += 1
                case .update: symbol = "~"; change += 1
                case .replace: symbol = "+/-"; add += 1; destroy += 1; replace += 1
                case .delete: symbol = "-"; destroy += 1
                case .start, .stop: symbol = "~"; change += 1
                case .noop: symbol = " "
                }
                let why = [c.reason, c.impact].compactMap { $0 }.joined(separator: "; ")
                let verb = c.action == .start || c.action == .stop ? " \(c.action.rawValue)" : ""
                out += "  \(symbol) \(c.kind.rawValue) \"\(c.name)\"\(verb)\(c.id.map { " (\($0))" } ?? "")\(why.isEmpty ? "" : ": \(why)")\n"
                if c.action != .create {
                    for f in c.fields { out += "      ~ \(f.path): \(show(f.old)) -> \(show(f.new))\n" }
                }
            }
            for note in set.notes { out += "  ! \(note)\n" }
            for error in set.errors { out += "  x error: \(error)\n" }
        }
        out += "\nPlan: \(add) to add, \(change) to change, \(destroy) to destroy."
        out += (replace > 0 ? " (\(replace) replaced, create before destroy)" : "") + "\n"
        return out
    }

    /// A saved plan's changes (its `resource_changes`), rendered as the change sets they came from.
    public static func text(_ changes: [ResourceChange]) -> String {
        var specs: [String] = []
        for c in changes where !specs.contains(c.spec) { specs.append(c.spec) }
        return text(
            specs.map { spec in
                ChangeSet(
                    spec: spec,
                    changes: changes.filter { $0.spec == spec }.map { c in
                        Change(
                            kind: c.kind, name: c.name, action: c.podformAction, id: c.id,
                            fields: c.podformAction == .create ? [] : c.changedFields, reason: c.reason, impact: c.impact)
                    }, notes: [])
            })
    }

    static func show(_ v: JSONValue?) -> String {
        guard let v else { return "(none)" }
        switch v {
        case .string(let s):
            // JSON-quoted: a live value with a newline or an escape sequence stays on its line.
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.withoutEscapingSlashes]
            return (try? String(decoding: encoder.encode(s), as: UTF8.self)) ?? "\"?\""
        case .int(let i): return String(i)
        case .number(let d): return String(d)
        case .bool(let b): return String(b)
        case .null: return "null"
        case .array(let a): return "[" + a.map { show($0) }.joined(separator: ", ") + "]"
        case .object(let o): return "{" + o.keys.sorted().map { "\($0): \(show(o[$0]))" }.joined(separator: ", ") + "}"
        }
    }
}
