import RunPodAPI

/// How podform recognizes what it manages (`Specs/state.md`): a template is podform's when its env
/// carries `PODFORM_MANAGED_BY=podform` and `PODFORM_SPEC=<spec name>`; endpoints and pods are
/// podform's when they carry the same markers (pods inherit them from the template's env) or use an
/// owned template, and have the spec's resource name; a network volume is podform's when it has the
/// spec's volume name (`podform-<spec>-weights`) and is not attached to anything podform does not own.
public struct OwnedResources: Sendable {
    public var templates: [Template]
    public var endpoints: [Endpoint]
    public var pods: [Pod]
    public var volumes: [NetworkVolume]
}

public enum Marker {
    public static let managedBy = "PODFORM_MANAGED_BY"
    public static let spec = "PODFORM_SPEC"

    static func owns(_ env: [String: String]?, spec name: String) -> Bool {
        env?[Marker.managedBy] == "podform" && env?[Marker.spec] == name
    }

    static func owner(_ env: [String: String]?) -> String? {
        env?[Marker.managedBy] == "podform" ? env?[Marker.spec] : nil
    }
}

extension LiveState {
    public func ownedResources(spec: String) -> OwnedResources {
        let base = "podform-\(spec)"
        let templates = self.templates.filter { $0.name == base && Marker.owns($0.env, spec: spec) }
        let templateIDs = Set(templates.map(\.id))
        let endpoints = self.endpoints.filter { e in
            e.name == base && (Marker.owns(e.env, spec: spec) || templateIDs.contains(e.templateId ?? ""))
        }
        let pods = self.pods.filter { p in
            (p.name == base || (p.name ?? "").hasPrefix(base + "-")) && (Marker.owns(p.env, spec: spec) || templateIDs.contains(p.template ?? ""))
                && p.status != "TERMINATED"
        }
        // A volume attached to something podform does not own is never podform's.
        let foreignUses = Set(self.endpoints.filter { e in !endpoints.contains { $0.id == e.id } }.flatMap { $0.networkVolumes ?? [] })
        let volumes = self.volumes.filter { $0.name == "\(base)-weights" && !foreignUses.contains($0.id) }
        return OwnedResources(templates: templates, endpoints: endpoints, pods: pods, volumes: volumes)
    }

    /// Spec names that own something on the account.
    public func ownerSpecs() -> Set<String> {
        Set(templates.compactMap { Marker.owner($0.env) } + endpoints.compactMap { Marker.owner($0.env) } + pods.compactMap { Marker.owner($0.env) })
    }
}

