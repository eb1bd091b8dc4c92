import RunPodAPI

// Resources the spec owns under another name, and env keys the plan does not set (`Specs/state.md`,
// "Names and markers" and "Diff").

/// The rename back to the planned name, if the live resource has another.
func renameField(_ liveName: String?, to planned: String) -> FieldChange? {
    liveName == planned ? nil : FieldChange(path: "name", old: liveName.map { .string($0) }, new: .string(planned))
}

/// Owned resources with the planned name first, then the renamed ones by id: `first` is the one a
/// diff manages (a template or endpoint), the rest are duplicates it leaves alone.
func plannedNameFirst<T>(_ all: [T], planned: (T) -> Bool, id: (T) -> String) -> [T] {
    all.filter(planned) + all.filter { !planned($0) }.sorted { id($0) < id($1) }
}

/// The note for owned resources a diff does not manage: a second copy carrying the spec's markers
/// (a console duplicate, a resource created in the console from podform's template). Never deleted
/// or changed on a guess; `podform destroy` removes them with the rest of the spec.
func duplicateNote(_ kind: ResourceKind, _ name: String?, _ id: String, managed: String) -> String {
    "\(kind.rawValue) \(name ?? id) (\(id)) also carries this spec's markers, but the plan has no place for it (\(managed)): left as it is, never deleted on a guess; delete it yourself if it is not needed (podform destroy removes it with the spec)"
}

/// Live env keys the plan does not set: added in the console, or dropped from the spec. Markers that
/// describe the deployment (`Marker.templateOnly`) are left out where they are compared on the
/// template only.
func extraEnvKeys(live: [String: String]?, desired: [String: String], ignoring: Set<String> = []) -> [String] {
    (live ?? [:]).keys.filter { desired[$0] == nil && !ignoring.contains($0) }.sorted()
}

/// What a PATCH that sends the whole env does to keys the plan does not set: removes them.
func envRemovals(_ keys: [String], live: [String: String]?) -> [FieldChange] {
    keys.map { FieldChange(path: "env.\($0)", old: live?[$0].map { .string($0) }, new: nil) }
}

/// An extra env key alone is not drift (podform does not restart a pod or roll workers over a key it
/// does not set, nor fight keys RunPod may add): it is noted, and removed by the next PATCH that
/// sends the env, which the plan then shows.
func extraEnvNote(_ kind: ResourceKind, _ name: String, _ keys: [String]) -> String {
    "\(kind.rawValue) \(name): env \(keys.joined(separator: ", ")) \(keys.count == 1 ? "is" : "are") not in the plan (set in the console, or dropped from the spec); left as is, and removed by the next change that sends this \(kind.rawValue)'s env"
}
