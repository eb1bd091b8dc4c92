import Foundation
import PodformApply
import PodformCompiler
import RunPodAPI

/// Connection flags shared by the commands that talk to RunPod.
struct RunPodOptions {
    var apiURL: String?
    var apiKeyFile: String?
    var global: GlobalOptions? = nil

    func client() throws -> RunPodClient {
        let env = ProcessInfo.processInfo.environment
        let key = try RunPodClient.apiKey(environment: env, keyFile: apiKeyFile)
        var client = RunPodClient(baseURL: try APIURL.resolve(apiURL, environment: env), apiKey: key)
        client.redactor.add(env["HF_TOKEN"])  // an answer echoing a pod's env must not show it either
        if let global {
            global.bootstrap()
            client.logger = global.logger
        }
        return client
    }

    /// True when a key is available (plan then diffs against live state).
    var hasKey: Bool {
        apiKeyFile != nil || !(ProcessInfo.processInfo.environment["RUNPOD_API_KEY"] ?? "").isEmpty
    }
}

/// Marks a plan's resources with what the diff will do to each.
func annotate(_ plan: PodformCompiler.Plan, with sets: [ChangeSet]) -> PodformCompiler.Plan {
    var plan = plan
    plan.offline = false
    for i in plan.deployments.indices {
        guard let set = sets.first(where: { $0.spec == plan.deployments[i].name }) else { continue }
        for j in plan.deployments[i].resources.indices {
            let r = plan.deployments[i].resources[j]
            if let c = set.changes.first(where: { $0.kind.rawValue == r.kind && $0.name == r.name }) {
                plan.deployments[i].resources[j].action = c.action.rawValue
            }
        }
        for c in set.changes where c.action == .delete {
            plan.deployments[i].resources.append(Deployment.Resource(kind: c.kind.rawValue, name: c.name, action: "delete", method: "DELETE",
                                                       path: "\(c.kind.collectionPath)/\(c.id ?? "")", body: .object([:])))
        }
    }
    return plan
}

/// The per-spec lock directory (`$PODFORM_CACHE_DIR/locks`).
func specLocks() -> SpecLocks {
    SpecLocks(directory: PodformCatalog.CatalogOverlay.defaultDirectory().appendingPathComponent("locks"))
}

import PodformCatalog
