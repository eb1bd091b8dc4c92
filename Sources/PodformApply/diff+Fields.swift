import RunPodAPI

/// Field-level differences between two objects, for the given top-level keys (nested objects by key).
///
/// Nested objects compare the keys the plan sets: fields RunPod adds on its side (defaults, read-only
/// status) are not drift, or every round would "fix" them.
func compare(_ old: JSONValue, _ new: JSONValue, keys: [String]) -> [FieldChange] {
    var out: [FieldChange] = []
    for key in keys {
        let a = old[key], b = new[key]
        if case .object(let ao)? = a, case .object(let bo)? = b {
            for sub in bo.keys.sorted() where !same(ao[sub], bo[sub]) {
                out.append(FieldChange(path: "\(key).\(sub)", old: ao[sub], new: bo[sub]))
            }
        } else if !same(a, b) {
            out.append(FieldChange(path: key, old: a, new: b))
        }
    }
    return out
}

func same(_ a: JSONValue?, _ b: JSONValue?) -> Bool {
    switch (a, b) {
    case (nil, nil), (nil, .null?), (.null?, nil): return true
    case (.int(let x)?, .number(let y)?), (.number(let y)?, .int(let x)?): return Double(x) == y
    default: return a == b
    }
}

/// Every field of a body, as creates show them.
func fields(_ old: JSONValue?, _ new: JSONValue) -> [FieldChange] {
    guard case .object(let o) = new else { return [] }
    return o.keys.sorted().map { FieldChange(path: $0, old: nil, new: o[$0]) }
}

/// The top-level keys of the changed fields (`env.X` -> `env`), in order, for a PATCH.
func patchKeys(_ fields: [FieldChange]) -> [String] {
    fields.map { String($0.path.split(separator: ".").first ?? "") }
}

/// `gpu` with sorted excluded types and an explicit count, so order and defaults do not count as changes.
func normalizedGPU(_ value: JSONValue?) -> JSONValue {
    guard case .object(var o)? = value else { return .null }
    if case .array(let e)? = o["excludedTypes"] {
        o["excludedTypes"] = .array(e.compactMap(\.stringValue).sorted().map { .string($0) })
    } else {
        o["excludedTypes"] = .array([])
    }
    if o["count"] == nil { o["count"] = .int(1) }
    return .object(o)
}
